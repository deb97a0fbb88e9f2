import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  HEALTH_SWEEP_SCHEDULER,
  JOB,
  type JobName,
  type JobPayloads,
  jobIdFor,
  LIFECYCLE_QUEUE,
  queueFor,
  VERIFY_QUEUES,
  WEBHOOK_QUEUE,
} from './jobs.types';

/** Attempts/backoff of every job: transient failures retry with exponential backoff (1 s, 2 s, 4 s … ~4 min). */
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The one way to enqueue jobs: name and payload are linked at compile time, ids are deterministic. */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  private readonly queues: Map<string, Queue>;

  constructor(
    @InjectQueue(LIFECYCLE_QUEUE) lifecycle: Queue,
    @InjectQueue(VERIFY_QUEUES.google) verifyGoogle: Queue,
    @InjectQueue(VERIFY_QUEUES.office365) verifyOffice365: Queue,
    @InjectQueue(WEBHOOK_QUEUE) webhooks: Queue,
  ) {
    this.queues = new Map([lifecycle, verifyGoogle, verifyOffice365, webhooks].map((q) => [q.name, q]));
  }

  /** `delayMs`: run no earlier than that many milliseconds from now (e.g. a scheduled re-check). */
  async dispatch<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    options: { delayMs?: number } = {},
  ): Promise<string> {
    const jobId = (jobIdFor[name] as (p: JobPayloads[N]) => string)(payload);
    const delay = options.delayMs && options.delayMs > 0 ? Math.ceil(options.delayMs) : undefined;
    await this.queue(queueFor(name, payload)).add(name, payload, { ...JOB_OPTIONS, jobId, delay });
    this.logger.log(`queued ${name} (${jobId})${delay ? ` in ${delay} ms` : ''}`);
    return jobId;
  }

  /**
   * Runs the health sweep every `everySeconds` through a BullMQ job scheduler (idempotent: every worker calls it at
   * boot; the last call's interval wins). 0 removes the scheduler: no periodic check.
   */
  async scheduleHealthSweep(everySeconds: number): Promise<void> {
    const queue = this.queue(queueFor(JOB.HEALTH_SWEEP, {}));
    if (everySeconds <= 0) {
      await queue.removeJobScheduler(HEALTH_SWEEP_SCHEDULER);
      return;
    }
    await queue.upsertJobScheduler(
      HEALTH_SWEEP_SCHEDULER,
      { every: everySeconds * 1000 },
      {
        name: JOB.HEALTH_SWEEP,
        data: {},
        // One attempt: a sweep that fails is simply the next one's work.
        opts: {
          attempts: 1,
          removeOnComplete: JOB_OPTIONS.removeOnComplete,
          removeOnFail: JOB_OPTIONS.removeOnFail,
        },
      },
    );
  }

  /** Many jobs of one name in one round trip (all payloads must go to the same queue). */
  async dispatchBulk<N extends JobName>(name: N, payloads: JobPayloads[N][]): Promise<void> {
    if (!payloads.length) return;
    const idOf = jobIdFor[name] as (p: JobPayloads[N]) => string;
    await this.queue(queueFor(name, payloads[0])).addBulk(
      payloads.map((data) => ({ name, data, opts: { ...JOB_OPTIONS, jobId: idOf(data) } })),
    );
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Queue ${name} is not registered`);
    return queue;
  }
}
