import { Injectable } from '@nestjs/common';
import { DelegationCredentialsRepository } from '../delegation-credentials/delegation-credentials.repository';
import type { JobPayloads } from '../jobs/jobs.types';
import { ProviderError } from '../providers/provider.errors';
import { ProviderRegistry } from '../providers/provider.registry';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { MemberAccessFailureService } from './member-access-failure.service';
import { MemberCredentialsRepository } from './member-credentials.repository';
import { CALENDAR_APP } from './platform-apps';

/**
 * The rate-limited second step of provisioning: prove through the provider that the credential can act for one
 * member. Connected → done (for Microsoft, default preferences are created now that the primary calendar id is
 * known). A permanent error marks the member failing and is reported once; a transient one is rethrown so BullMQ
 * retries it with backoff.
 */
@Injectable()
export class MemberVerificationService {
  constructor(
    private readonly credentials: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
    private readonly providers: ProviderRegistry,
    private readonly failures: MemberAccessFailureService,
  ) {}

  async verify(
    payload: JobPayloads['verify-member'],
  ): Promise<{ state: 'connected' | 'failing' | 'skipped' }> {
    const record = await this.credentials.findById(payload.credentialId);
    if (!record?.enabled || record.generation !== payload.generation) return { state: 'skipped' };
    const member = await this.members.findMemberCredential(record.id, payload.userId);
    if (!member) return { state: 'skipped' };
    const platform = record.workspacePlatform.slug as WorkspacePlatformSlug;
    const provider = this.providers.get(platform);
    const delegated = this.credentials.toDelegated(record);
    try {
      await provider.checkAccess(delegated, member.user.email);
      if (platform === 'office365') {
        const primary = await provider.getPrimaryCalendar(delegated, member.user.email);
        await this.members.ensurePrimaryPreferences(
          record.id,
          member.userId,
          CALENDAR_APP.office365.integration,
          primary.externalId,
          member.user.email,
        );
      }
      await this.members.markConnected(record.id, member.userId);
      return { state: 'connected' };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (!error.permanent) {
        const stored = { type: error.type, message: error.message, at: new Date().toISOString() };
        await this.members.recordTransientError(record.id, member.userId, stored);
        throw error;
      }
      await this.failures.record(
        {
          organizationId: record.organizationId,
          delegationCredentialId: record.id,
          credential: { id: member.id, type: member.type, appId: member.appId },
          user: { id: member.userId, email: member.user.email },
        },
        error,
      );
      return { state: 'failing' };
    }
  }
}
