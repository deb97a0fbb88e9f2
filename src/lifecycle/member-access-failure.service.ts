import { Injectable, Logger } from '@nestjs/common';
import type { ProviderError } from '../providers/provider.errors';
import { DelegationErrorEvents } from './delegation-error-events.service';
import { MemberCredentialsRepository } from './member-credentials.repository';

export interface FailedMemberAccess {
  organizationId: number;
  delegationCredentialId: string;
  credential: { id: number; type: string; appId: string };
  user: { id: number; email: string };
}

/**
 * One place that records a member's delegated access failing with a permanent provider error — from the
 * verification job or from a live calendar call — marks the member failing, and reports the error
 * (DELEGATION_CREDENTIAL_ERROR) once per change rather than on every retry.
 */
@Injectable()
export class MemberAccessFailureService {
  private readonly logger = new Logger(MemberAccessFailureService.name);

  constructor(
    private readonly members: MemberCredentialsRepository,
    private readonly events: DelegationErrorEvents,
  ) {}

  async record(access: FailedMemberAccess, error: ProviderError): Promise<void> {
    const stored = { type: error.type, message: error.message, at: new Date().toISOString() };
    const changed = await this.members.markFailing(access.delegationCredentialId, access.user.id, stored);
    this.logger.warn(`member ${access.user.id} of ${access.delegationCredentialId}: ${error.type}`);
    if (changed) await this.events.memberAccessFailed({ ...access, error });
  }
}
