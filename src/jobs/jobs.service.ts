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
  RECONCILE_SCHEDULER,
  VERIFY_QUEUES,
  WEBHOOK_QUEUE,
} from './jobs.types';

/** One pending intent as read by the dispatcher (src/jobs/job-intents.ts). */
export interface QueuedIntent {
  name: string;
  jobId: string;
  queue: string;
  payload: Record<string, unknown>;
  runAt: Date;
}

/** Rejects when `promise` has not settled within `ms` (the promise itself keeps running). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  // A late rejection of the abandoned call must not become an unhandled rejection.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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

  /**
   * Runs reconciliation every `everySeconds` through a BullMQ job scheduler (idempotent, like the health sweep), and
   * once now — one run per minute however many workers start at once. 0 turns reconciliation off (the scheduler is
   * removed, nothing runs at start).
   */
  async scheduleReconciliation(everySeconds: number): Promise<void> {
    const queue = this.queue(queueFor(JOB.RECONCILE, {}));
    if (everySeconds <= 0) {
      await queue.removeJobScheduler(RECONCILE_SCHEDULER);
      return;
    }
    await queue.upsertJobScheduler(
      RECONCILE_SCHEDULER,
      { every: everySeconds * 1000 },
      {
        name: JOB.RECONCILE,
        data: {},
        opts: {
          attempts: 1,
          removeOnComplete: JOB_OPTIONS.removeOnComplete,
          removeOnFail: JOB_OPTIONS.removeOnFail,
        },
      },
    );
    await this.dispatch(JOB.RECONCILE, { round: Math.floor(Date.now() / 60_000) * 60_000 });
  }

  /** Whether a job with this id is waiting, delayed or running (reconciliation leaves work in progress alone). */
  async isPending(queueName: string, jobId: string): Promise<boolean> {
    const job = await this.queue(queueName).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(state);
  }

  /** Many jobs of one name in one round trip (all payloads must go to the same queue). */
  async dispatchBulk<N extends JobName>(name: N, payloads: JobPayloads[N][]): Promise<void> {
    if (!payloads.length) return;
    const idOf = jobIdFor[name] as (p: JobPayloads[N]) => string;
    await this.queue(queueFor(name, payloads[0])).addBulk(
      payloads.map((data) => ({ name, data, opts: { ...JOB_OPTIONS, jobId: idOf(data) } })),
    );
  }

  /**
   * Adds dispatched intents (see IntentDispatcher) to their queues: one addBulk per queue, each bounded by
   * `timeoutMs` (a queue that never connected would otherwise wait for Redis for ever). Same options and ids as
   * dispatch(), so an intent queued twice — or queued after a direct dispatch of the same job — is one job.
   */
  async enqueueIntents(intents: QueuedIntent[], timeoutMs: number): Promise<void> {
    const byQueue = new Map<string, QueuedIntent[]>();
    for (const intent of intents) byQueue.set(intent.queue, [...(byQueue.get(intent.queue) ?? []), intent]);
    const now = Date.now();
    for (const [name, items] of byQueue) {
      const added = this.queue(name).addBulk(
        items.map((intent) => {
          const delay = intent.runAt.getTime() - now;
          return {
            name: intent.name,
            data: intent.payload,
            opts: { ...JOB_OPTIONS, jobId: intent.jobId, ...(delay > 0 ? { delay } : {}) },
          };
        }),
      );
      await withTimeout(added, timeoutMs, `queue ${name}`);
    }
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Queue ${name} is not registered`);
    return queue;
  }
}
