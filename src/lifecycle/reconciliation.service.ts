import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobsService } from '../jobs/jobs.service';
import { JOB, type JobName, type JobPayloads, jobIdFor, LIFECYCLE_QUEUE } from '../jobs/jobs.types';
import { ReconciliationRepository, type ReconcileTarget } from './reconciliation.repository';

/** Credentials read per page. */
const PAGE = 500;

export interface ReconcileResult {
  round: number;
  /** Credentials compared. */
  checked: number;
  /** Repair jobs queued, by job name. */
  repaired: Partial<Record<JobName, number>>;
  /** Credentials left alone because their own job is still waiting or running. */
  inProgress: number;
}

/**
 * Reconciliation (worker): desired versus actual member state for every delegation credential, repaired through the
 * ordinary idempotent jobs — whatever the cause (work lost with a Redis that had no persistence, a job that failed
 * for good, rows changed by hand, data from before job intents existed):
 * - enabled, and an accepted member in the domain lacks a delegated credential → provision-credential again (a
 *   repair job of its own id: the original one may still be remembered as completed);
 * - enabled, and someone holds a delegated credential without being such a member (left, unaccepted, email moved:
 *   their sync never ran) → sync-member for each of them;
 * - disabled with delegated credentials left → cleanup-credential again; deleting → delete-credential again.
 * A credential whose own job (provision, cleanup, delete of its current generation) is still waiting or running is
 * left alone. One query per credential when there is nothing to do.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly records: ReconciliationRepository,
    private readonly jobs: JobsService,
  ) {}

  /** `only`: reconcile just these credentials (an operator's targeted run, tests); all of them otherwise. */
  async reconcile(payload: JobPayloads['reconcile'], _job?: Job, only?: string[]): Promise<ReconcileResult> {
    const round = payload.round ?? Date.now();
    const result: ReconcileResult = { round, checked: 0, repaired: {}, inProgress: 0 };
    let after: string | null = null;
    for (;;) {
      const page = await this.records.credentials(after, PAGE, only);
      if (!page.length) break;
      for (const target of page) await this.reconcileOne(target, round, result);
      result.checked += page.length;
      after = page[page.length - 1].id;
    }
    const repairs = Object.entries(result.repaired);
    if (repairs.length)
      this.logger.warn(
        `reconciliation repaired drift: ${repairs.map(([name, n]) => `${n} ${name}`).join(', ')}`,
      );
    return result;
  }

  private async reconcileOne(target: ReconcileTarget, round: number, result: ReconcileResult) {
    const drift = await this.records.drift(target);
    if (!drift.missing && !drift.leftovers.length) return;
    if (await this.ownJobPending(target)) {
      result.inProgress++;
      return;
    }
    const count = (name: JobName, n = 1) => (result.repaired[name] = (result.repaired[name] ?? 0) + n);
    if (target.status === 'DELETING') {
      await this.jobs.dispatch(JOB.DELETE_CREDENTIAL, { credentialId: target.id, repair: round });
      return count(JOB.DELETE_CREDENTIAL);
    }
    if (!target.enabled) {
      await this.jobs.dispatch(JOB.CLEANUP_CREDENTIAL, {
        credentialId: target.id,
        generation: target.generation,
        repair: round,
      });
      return count(JOB.CLEANUP_CREDENTIAL);
    }
    if (drift.missing) {
      await this.jobs.dispatch(JOB.PROVISION_CREDENTIAL, {
        credentialId: target.id,
        generation: target.generation,
        repair: round,
      });
      count(JOB.PROVISION_CREDENTIAL);
    }
    if (drift.leftovers.length) {
      await this.jobs.dispatchBulk(
        JOB.SYNC_MEMBER,
        drift.leftovers.map((userId) => ({ organizationId: target.organizationId, userId, version: round })),
      );
      count(JOB.SYNC_MEMBER, drift.leftovers.length);
    }
  }

  /** The credential's own job for its current state is still waiting or running: it will get there by itself. */
  private ownJobPending(target: ReconcileTarget): Promise<boolean> {
    const id =
      target.status === 'DELETING'
        ? jobIdFor[JOB.DELETE_CREDENTIAL]({ credentialId: target.id })
        : target.enabled
          ? jobIdFor[JOB.PROVISION_CREDENTIAL]({ credentialId: target.id, generation: target.generation })
          : jobIdFor[JOB.CLEANUP_CREDENTIAL]({ credentialId: target.id, generation: target.generation });
    return this.jobs.isPending(LIFECYCLE_QUEUE, id);
  }
}
