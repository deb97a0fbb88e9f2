import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
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

  async dispatch<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<string> {
    const jobId = (jobIdFor[name] as (p: JobPayloads[N]) => string)(payload);
    await this.queue(queueFor(name, payload)).add(name, payload, { ...JOB_OPTIONS, jobId });
    this.logger.log(`queued ${name} (${jobId})`);
    return jobId;
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
