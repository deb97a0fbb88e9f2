import { Injectable } from '@nestjs/common';
import { DelegationCredentialsRepository } from '../delegation-credentials/delegation-credentials.repository';
import type { JobPayloads } from '../jobs/jobs.types';
import { ProviderError } from '../providers/provider.errors';
import { ProviderRegistry } from '../providers/provider.registry';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { CredentialHealthRepository } from './credential-health.repository';
import { CredentialHealthService } from './credential-health.service';
import { MemberAccessFailureService } from './member-access-failure.service';
import { MemberCredentialsRepository } from './member-credentials.repository';
import { CALENDAR_APP } from './platform-apps';

export type VerificationState = 'connected' | 'failing' | 'blocked' | 'skipped';

/**
 * The rate-limited second step of provisioning, and every later re-check of a member: prove through the provider
 * that the credential can act for one member.
 * - Connected → done (for Microsoft, default preferences are created now that the primary calendar id is known).
 * - A member-scope error marks the member failing, is reported once, and schedules the next re-check (backoff).
 * - A credential-scope error is the credential's: it goes failing (reported once, for all members) and the member is
 *   blocked, not reported.
 * - A transient error, or one about the request rather than the member or the credential (scope none, e.g.
 *   REQUEST_REJECTED), is rethrown: BullMQ retries it (throttling waits out Retry-After, see VerificationWorkers).
 * While the credential is known to be failing no member is checked (they are blocked, and re-verified when it
 * recovers).
 */
@Injectable()
export class MemberVerificationService {
  constructor(
    private readonly credentials: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
    private readonly providers: ProviderRegistry,
    private readonly failures: MemberAccessFailureService,
    private readonly health: CredentialHealthService,
    private readonly healthRecords: CredentialHealthRepository,
  ) {}

  async verify(payload: JobPayloads['verify-member']): Promise<{ state: VerificationState }> {
    const record = await this.credentials.findById(payload.credentialId);
    if (!record?.enabled || record.generation !== payload.generation) return { state: 'skipped' };
    const member = await this.members.findMemberCredential(record.id, payload.userId);
    if (!member) return { state: 'skipped' };
    // A scheduled re-check of a member connected meanwhile (e.g. by a live call) has nothing left to do.
    if (payload.cause === 'recheck' && member.syncState === 'CONNECTED') return { state: 'skipped' };
    if (record.status === 'FAILING') {
      await this.healthRecords.blockMember(record.id, member.userId);
      return { state: 'blocked' };
    }
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
      // A refusal of the request itself (scope none, e.g. REQUEST_REJECTED) says nothing about the member or the
      // credential: inconclusive, retried like a transient error, never recorded as the member's failure.
      if (!error.permanent || error.scope === 'none') {
        const stored = { type: error.type, message: error.message, at: new Date().toISOString() };
        await this.members.recordTransientError(record.id, member.userId, stored);
        throw error;
      }
      if (error.scope === 'credential') {
        await this.health.failed(record, error, 'member-verification');
        await this.healthRecords.blockMember(record.id, member.userId);
        return { state: 'blocked' };
      }
      await this.failures.record(
        {
          organizationId: record.organizationId,
          delegationCredentialId: record.id,
          generation: record.generation,
          platform,
          credential: { id: member.id, type: member.type, appId: member.appId },
          user: { id: member.userId, email: member.user.email },
        },
        error,
        true,
      );
      return { state: 'failing' };
    }
  }
}
