import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import {
  type CredentialRecord,
  DelegationCredentialsRepository,
} from '../delegation-credentials/delegation-credentials.repository';
import { emailDomain } from '../delegation-credentials/domain';
import { JobsService } from '../jobs/jobs.service';
import { JOB, type JobPayloads, type VerifyCause } from '../jobs/jobs.types';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { CredentialHealthCheckService } from './credential-health-check.service';
import { CredentialHealthRepository } from './credential-health.repository';
import { MemberCredentialsRepository, type ProvisionTarget } from './member-credentials.repository';

export interface ProvisionProgress {
  /**
   * 'check' (resync only): checking the credential through the provider; 'members': writing credentials and
   * preferences; 'verify': queueing per-member verification.
   */
  phase: 'check' | 'members' | 'verify';
  /** Keyset cursor (last user id done) of the current phase. A restarted job resumes after it. */
  cursor: number;
  provisioned: number;
  queued: number;
}

const START: ProvisionProgress = { phase: 'members', cursor: 0, provisioned: 0, queued: 0 };

/** Verification jobs queued per round trip to Redis. */
const VERIFY_FANOUT_PAGE = 1000;

const targetOf = (record: CredentialRecord): ProvisionTarget => ({
  id: record.id,
  organizationId: record.organizationId,
  domain: record.domain,
  platform: record.workspacePlatform.slug as WorkspacePlatformSlug,
});

const isProgress = (value: unknown): value is ProvisionProgress =>
  typeof value === 'object' && value !== null && typeof (value as ProvisionProgress).phase === 'string';

/**
 * What the lifecycle jobs do. Every handler re-reads the credential and does nothing if it has moved on, and every
 * write is idempotent (ON CONFLICT, conditional deletes), so running a job twice — or again after a worker was
 * killed mid-batch — is harmless and ends in the same state.
 */
@Injectable()
export class CredentialLifecycleService {
  private readonly logger = new Logger(CredentialLifecycleService.name);

  constructor(
    private readonly credentials: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
    private readonly jobs: JobsService,
    private readonly config: AppConfigService,
    private readonly healthCheck: CredentialHealthCheckService,
    private readonly healthRecords: CredentialHealthRepository,
  ) {}

  /**
   * enable → every matching accepted member gets a delegated credential and default preferences, in keyset batches
   * (phase 'members'); then each pending member is queued for rate-limited provider verification (phase 'verify').
   * Database work comes first so members are connected as fast as the database allows; verification trickles at the
   * provider's quota. Progress is saved after every batch, so a restarted job resumes where it stopped.
   */
  async provision(
    payload: JobPayloads['provision-credential'],
    job: Job,
  ): Promise<ProvisionProgress & { stopped?: string }> {
    const record = await this.credentials.findById(payload.credentialId);
    const progress: ProvisionProgress = isProgress(job.progress) ? job.progress : START;
    if (!record?.enabled || record.generation !== payload.generation) {
      return { ...progress, stopped: 'credential moved on' };
    }
    const done = await this.provisionAndQueue(targetOf(record), payload.generation, job, progress, {
      all: false,
      repair: payload.repair,
    });
    this.logger.log(
      `provisioned ${done.provisioned} member(s) of ${record.id} (generation ${payload.generation}), ` +
        `${done.queued} queued for verification`,
    );
    return done;
  }

  /**
   * Admin resync: check the credential through the provider (a fresh token; the verdict is recorded, so a fixed
   * credential comes back and a broken one is reported), then provision every matching member again (new members
   * get their credential and preferences, kept preferences are re-linked) and queue the verification of every
   * member, whatever their state. Stops after the check when the credential is failing: its members are blocked
   * and will be re-verified when it recovers. Resumable like provisioning (progress saved per batch).
   */
  async resync(
    payload: JobPayloads['resync-credential'],
    job: Job,
  ): Promise<ProvisionProgress & { stopped?: string; check?: string }> {
    const record = await this.credentials.findById(payload.credentialId);
    let progress: ProvisionProgress = isProgress(job.progress) ? job.progress : { ...START, phase: 'check' };
    if (!record?.enabled || record.generation !== payload.generation) {
      return { ...progress, stopped: 'credential moved on' };
    }
    let check: string | undefined;
    if (progress.phase === 'check') {
      check = (await this.healthCheck.checkCredential(record, 'resync')).outcome;
      if (check === 'failed') return { ...progress, check, stopped: 'credential failing' };
      progress = { ...progress, phase: 'members' };
      await job.updateProgress(progress);
    }
    const done = await this.provisionAndQueue(targetOf(record), payload.generation, job, progress, {
      all: true,
      trigger: payload.requestedAt,
    });
    this.logger.log(`resync of ${record.id}: ${done.provisioned} provisioned, ${done.queued} queued`);
    return { ...done, ...(check ? { check } : {}) };
  }

  /**
   * Phase 'members': keyset batches of provisionBatch; phase 'verify': queue verification of the pending members
   * (provisioning) or of every member (`all`: resync, with its trigger). Saves progress after every batch.
   */
  private async provisionAndQueue(
    target: ProvisionTarget,
    generation: number,
    job: Job,
    start: ProvisionProgress,
    verify: { all: false; repair?: number } | { all: true; trigger: number },
  ): Promise<ProvisionProgress & { stopped?: string }> {
    let progress = start;
    const batchSize = this.config.lifecycle.provisionBatchSize;
    while (progress.phase === 'members') {
      const batch = await this.members.provisionBatch(target, progress.cursor, batchSize, { generation });
      if (batch.movedOn) return { ...progress, stopped: 'credential moved on' };
      progress =
        batch.lastUserId === null
          ? { ...progress, phase: 'verify', cursor: 0 }
          : { ...progress, cursor: batch.lastUserId, provisioned: progress.provisioned + batch.members };
      await job.updateProgress(progress);
    }
    for (;;) {
      const userIds = verify.all
        ? await this.healthRecords.memberUserIds(target.id, progress.cursor, VERIFY_FANOUT_PAGE)
        : await this.members.pendingUserIds(target.id, progress.cursor, VERIFY_FANOUT_PAGE);
      if (!userIds.length) break;
      await this.queueVerification(
        target,
        generation,
        userIds,
        verify.all
          ? { cause: 'resync', trigger: verify.trigger }
          : // A reconciliation repair: the member's first verification job id may be taken (completed) already.
            verify.repair !== undefined
            ? { cause: 'recheck', trigger: verify.repair }
            : undefined,
      );
      progress = {
        ...progress,
        cursor: userIds[userIds.length - 1],
        queued: progress.queued + userIds.length,
      };
      await job.updateProgress(progress);
    }
    return progress;
  }

  /** disable → remove the delegated member credentials in batches; preferences stay. Stops if re-enabled. */
  async cleanup(
    payload: JobPayloads['cleanup-credential'],
    _job: Job,
  ): Promise<{ removed: number; stopped?: string }> {
    return this.removeAll(payload.credentialId);
  }

  /** delete → cleanup, then remove the credential row (its preferences' foreign keys are set null). */
  async delete(
    payload: JobPayloads['delete-credential'],
    _job: Job,
  ): Promise<{ removed: number; deleted: boolean }> {
    const record = await this.credentials.findById(payload.credentialId);
    if (record?.status !== 'DELETING') return { removed: 0, deleted: false };
    const { removed } = await this.removeAll(record.id);
    const deleted = await this.credentials.deleteIfDeleting(record.id);
    this.logger.log(`delegation credential ${record.id} deleted (${removed} member credential(s) removed)`);
    return { removed, deleted };
  }

  /** A member joined, left, was accepted, or changed email: provision or remove just them. */
  async syncMember(
    payload: JobPayloads['sync-member'],
    _job: Job,
  ): Promise<{ action: 'provisioned' | 'removed' | 'none' }> {
    const { organizationId, userId } = payload;
    const membership = await this.members.findAcceptedMembership(organizationId, userId);
    const record = membership
      ? await this.credentials.findEnabledForOrgDomain(organizationId, emailDomain(membership.email))
      : null;
    const removed = await this.members.removeMember(organizationId, userId, record?.id ?? null);
    if (!record) return { action: removed ? 'removed' : 'none' };
    const target = targetOf(record);
    const batch = await this.members.provisionBatch(target, 0, 1, { onlyUserId: userId });
    if (batch.movedOn || batch.lastUserId === null) return { action: removed ? 'removed' : 'none' };
    const pending = await this.members.pendingUserIds(target.id, userId - 1, 1);
    await this.queueVerification(
      target,
      record.generation,
      pending.filter((id) => id === userId),
      { trigger: payload.version },
    );
    return { action: 'provisioned' };
  }

  private async removeAll(credentialId: string): Promise<{ removed: number; stopped?: string }> {
    let removed = 0;
    for (;;) {
      const count = await this.members.removeBatch(credentialId, this.config.lifecycle.provisionBatchSize);
      if (count === null) return { removed, stopped: 'credential re-enabled' };
      if (count === 0) return { removed };
      removed += count;
    }
  }

  private queueVerification(
    target: ProvisionTarget,
    generation: number,
    userIds: number[],
    occasion?: { cause?: VerifyCause; trigger: number },
  ): Promise<void> {
    return this.jobs.dispatchBulk(
      JOB.VERIFY_MEMBER,
      userIds.map((userId) => ({
        credentialId: target.id,
        generation,
        userId,
        platform: target.platform,
        ...occasion,
      })),
    );
  }
}
