import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { type IntentWriter, recordIntent } from '../jobs/job-intents';
import { JOB } from '../jobs/jobs.types';
import { PrismaService } from '../prisma/prisma.service';
import type { ProviderError } from '../providers/provider.errors';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { DelegationErrorEvents } from './delegation-error-events.service';
import { MemberCredentialsRepository } from './member-credentials.repository';

export interface FailedMemberAccess {
  organizationId: number;
  delegationCredentialId: string;
  /** The delegation credential's generation and platform: what the scheduled re-check job needs. */
  generation: number;
  platform: WorkspacePlatformSlug;
  credential: { id: number; type: string; appId: string };
  user: { id: number; email: string };
}

/**
 * One place that records a member's delegated access failing with a permanent member-scope provider error — from
 * the verification job or from a live calendar call — marks the member failing, reports the error
 * (DELEGATION_CREDENTIAL_ERROR, `scope: member`) once per change rather than on every retry, and schedules the
 * member's re-check on the backoff (MEMBER_RECHECK_MIN_SECONDS doubling up to MEMBER_RECHECK_MAX_SECONDS).
 * Credential-scope errors do not come here: see CredentialHealthService.
 */
@Injectable()
export class MemberAccessFailureService {
  private readonly logger = new Logger(MemberAccessFailureService.name);

  constructor(
    private readonly members: MemberCredentialsRepository,
    private readonly events: DelegationErrorEvents,
    private readonly prisma: PrismaService,
    private readonly config: AppConfigService,
  ) {}

  /**
   * `fromCheck`: a verification (re-)check failed, so the backoff grows; a live call only reports. The state change,
   * its webhook and the re-check are committed together (job intents: sent even if Redis is down right now).
   */
  async record(access: FailedMemberAccess, error: ProviderError, fromCheck = false): Promise<void> {
    const stored = { type: error.type, message: error.message, at: new Date().toISOString() };
    const { memberRecheckMinSeconds, memberRecheckMaxSeconds } = this.config.health;
    await this.prisma.$transaction(async (tx) => {
      const { changed, nextCheckAtMs } = await this.members.markFailing(
        access.delegationCredentialId,
        access.user.id,
        stored,
        {
          reschedule: fromCheck,
          backoff: { minSeconds: memberRecheckMinSeconds, maxSeconds: memberRecheckMaxSeconds },
        },
        tx,
      );
      if (changed) await this.events.memberAccessFailed(tx, { ...access, error });
      if (nextCheckAtMs !== null) await this.scheduleRecheck(tx, access, nextCheckAtMs);
    });
    this.logger.warn(`member ${access.user.id} of ${access.delegationCredentialId}: ${error.type}`);
  }

  /**
   * The member's re-check as a delayed verification job at `dueAtMs` (its id carries the due time, so it is queued
   * once). Should it be lost, the periodic health check queues members whose re-check time has passed.
   */
  private async scheduleRecheck(
    tx: IntentWriter,
    access: FailedMemberAccess,
    dueAtMs: number,
  ): Promise<void> {
    await recordIntent(
      tx,
      JOB.VERIFY_MEMBER,
      {
        credentialId: access.delegationCredentialId,
        generation: access.generation,
        userId: access.user.id,
        platform: access.platform,
        cause: 'recheck',
        trigger: Math.round(dueAtMs),
      },
      { delayMs: dueAtMs - Date.now() },
    );
  }
}
