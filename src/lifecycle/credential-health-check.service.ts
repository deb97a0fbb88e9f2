import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import {
  type CredentialRecord,
  DelegationCredentialsRepository,
} from '../delegation-credentials/delegation-credentials.repository';
import { JobsService } from '../jobs/jobs.service';
import { JOB, type JobPayloads } from '../jobs/jobs.types';
import { ProviderError } from '../providers/provider.errors';
import { ProviderRegistry } from '../providers/provider.registry';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { CredentialHealthRepository, type HealthSource } from './credential-health.repository';
import { CredentialHealthService } from './credential-health.service';

/** Subjects tried per check: a member-scope refusal (that mailbox's own problem) moves on to the next one. */
const MAX_SUBJECTS = 3;
/** Credentials per sweep page, members per claim page. */
const SWEEP_PAGE = 500;
const CLAIM_PAGE = 1000;
/** The sweep's round length when the periodic check is off (a sweep queued by hand). */
const DEFAULT_INTERVAL_MS = 900_000;

export interface CredentialCheck {
  /**
   * passed / failed: the credential-level verdict (recorded). inconclusive: the provider was throttled or down, or
   * every subject had a problem of its own. no-subject: no accepted member in the domain to impersonate.
   */
  outcome: 'passed' | 'failed' | 'inconclusive' | 'no-subject';
  subject?: string;
  error?: { type: string; message: string; scope: string };
}

export interface HealthCheckResult extends Partial<CredentialCheck> {
  /** Members queued for verification (due re-checks, stale pending, blocked after a recovery). */
  queued: number;
  skipped?: string;
}

/**
 * The periodic health check (worker). Every HEALTH_CHECK_INTERVAL_SECONDS the health-sweep job scheduler queues one
 * check-credential-health job per enabled credential that is active or failing. Each check:
 * 1. impersonates a subject — the admin who enabled the credential while they are still an accepted member in its
 *    domain (their enable proved that mailbox works), else the member most recently verified, else any matching
 *    member; a refusal about that mailbox alone (member scope) moves on to the next, up to three — with a freshly
 *    minted token (this process's cached clients of the credential are dropped first), so a deleted key, an
 *    expired secret or revoked delegation is noticed before members' cached tokens run out, and a fix is noticed the
 *    same way;
 * 2. records the verdict through CredentialHealthService (active ⇄ failing, one webhook, self-healing);
 * 3. while the credential is active, queues every member due for a check: failing members past their backoff,
 *    blocked members, members pending longer than MEMBER_PENDING_TIMEOUT_SECONDS.
 */
@Injectable()
export class CredentialHealthCheckService {
  private readonly logger = new Logger(CredentialHealthCheckService.name);

  constructor(
    private readonly credentials: DelegationCredentialsRepository,
    private readonly records: CredentialHealthRepository,
    private readonly health: CredentialHealthService,
    private readonly providers: ProviderRegistry,
    private readonly jobs: JobsService,
    private readonly config: AppConfigService,
  ) {}

  /** Queues one check per checkable credential, all for the same round (deduplicated per credential and round). */
  async sweep(payload: JobPayloads['health-sweep'], _job: Job): Promise<{ round: number; queued: number }> {
    const intervalMs = this.config.health.checkIntervalSeconds * 1000 || DEFAULT_INTERVAL_MS;
    const round = payload.round ?? Math.floor(Date.now() / intervalMs);
    let after: string | null = null;
    let queued = 0;
    for (;;) {
      const ids = await this.records.checkableCredentialIds(after, SWEEP_PAGE);
      if (!ids.length) break;
      await this.jobs.dispatchBulk(
        JOB.CHECK_CREDENTIAL_HEALTH,
        ids.map((credentialId) => ({ credentialId, round })),
      );
      queued += ids.length;
      after = ids[ids.length - 1];
    }
    return { round, queued };
  }

  async check(payload: JobPayloads['check-credential-health'], _job: Job): Promise<HealthCheckResult> {
    const record = await this.credentials.findById(payload.credentialId);
    if (!record?.enabled || (record.status !== 'ACTIVE' && record.status !== 'FAILING'))
      return { queued: 0, skipped: 'not enabled' };
    const check = await this.checkCredential(record, 'health-check');
    const active = check.outcome === 'passed' || (check.outcome !== 'failed' && record.status === 'ACTIVE');
    const queued = active ? await this.queueDueMembers(record, payload.round) : 0;
    if (check.outcome !== 'passed' || queued)
      this.logger.log(`health check of ${record.id}: ${check.outcome}, ${queued} member(s) queued`);
    return { ...check, queued };
  }

  /** After a recovery or a key rotation: queue the members that are due (failing and blocked ones). */
  async reverify(payload: JobPayloads['reverify-members'], _job: Job): Promise<HealthCheckResult> {
    const record = await this.credentials.findById(payload.credentialId);
    if (!record?.enabled || record.generation !== payload.generation)
      return { queued: 0, skipped: 'credential moved on' };
    if (record.status !== 'ACTIVE')
      return { queued: 0, skipped: `credential ${record.status.toLowerCase()}` };
    return { queued: await this.queueDueMembers(record, payload.round) };
  }

  /** Checks the credential through the provider and records the verdict (see the class comment). */
  async checkCredential(record: CredentialRecord, source: HealthSource): Promise<CredentialCheck> {
    const subjects = await this.records.healthCheckSubjects(record, MAX_SUBJECTS);
    if (!subjects.length) return { outcome: 'no-subject' };
    const provider = this.providers.get(record.workspacePlatform.slug as WorkspacePlatformSlug);
    const credential = this.credentials.toDelegated(record);
    let last: CredentialCheck = { outcome: 'inconclusive' };
    for (const { email } of subjects) {
      const checkedAt = new Date();
      // A token minted before a revocation keeps working until it expires: check with a new one.
      this.providers.evict(record.id);
      try {
        await provider.checkAccess(credential, email);
        await this.health.passed(record, source, { checkedAt });
        return { outcome: 'passed', subject: email };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        const described = { type: error.type, message: error.message, scope: error.scope };
        if (!error.permanent) return { outcome: 'inconclusive', subject: email, error: described };
        if (error.scope === 'credential') {
          await this.health.failed(record, error, source, { checkedAt });
          return { outcome: 'failed', subject: email, error: described };
        }
        last = { outcome: 'inconclusive', subject: email, error: described };
      }
    }
    return last;
  }

  /** Claims the members due for a check (see CredentialHealthRepository.claimDueMembers) and queues them. */
  private async queueDueMembers(record: CredentialRecord, round: number): Promise<number> {
    const timeout = this.config.health.memberPendingTimeoutSeconds;
    const platform = record.workspacePlatform.slug as WorkspacePlatformSlug;
    let after = 0;
    let queued = 0;
    for (;;) {
      const due = await this.records.claimDueMembers(record.id, {
        afterUserId: after,
        limit: CLAIM_PAGE,
        pendingTimeoutSeconds: timeout,
        guardSeconds: timeout,
      });
      if (!due.length) return queued;
      await this.jobs.dispatchBulk(
        JOB.VERIFY_MEMBER,
        due.map(({ userId }) => ({
          credentialId: record.id,
          generation: record.generation,
          userId,
          platform,
          cause: 'recheck' as const,
          trigger: round,
        })),
      );
      queued += due.length;
      after = Math.max(...due.map((d) => d.userId));
    }
  }
}
