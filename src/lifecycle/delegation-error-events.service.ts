import { Injectable, Logger } from '@nestjs/common';
import type { ProviderError } from '../providers/provider.errors';

export interface MemberAccessFailure {
  error: ProviderError;
  organizationId: number;
  delegationCredentialId: string;
  credential: { id: number; type: string; appId: string };
  user: { id: number; email: string };
}

/**
 * Reports a member's delegated access failing with a permanent error (Cal.com's DELEGATION_CREDENTIAL_ERROR).
 * Org webhooks subscribe to it; the payload never contains key material.
 */
@Injectable()
export class DelegationErrorEvents {
  private readonly logger = new Logger(DelegationErrorEvents.name);

  memberAccessFailed(failure: MemberAccessFailure): Promise<void> {
    this.logger.warn(
      `DELEGATION_CREDENTIAL_ERROR org=${failure.organizationId} credential=${failure.delegationCredentialId} ` +
        `user=${failure.user.id}: ${failure.error.type}`,
    );
    return Promise.resolve();
  }
}
