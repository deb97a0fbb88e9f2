import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { JOB, type JobPayloads, VERIFY_QUEUES } from '../jobs/jobs.types';
import { redisConnection } from '../jobs/redis-connection';
import { deferThrottledJob, isThrottle } from '../jobs/throttling';
import { closeWorker, workerCloseGraceMs } from '../redis/closing';
import { observedWorker } from '../observability/jobs/observed-worker';
import { WORKSPACE_PLATFORM_SLUGS } from '../providers/provider.types';
import { MemberVerificationService } from './member-verification.service';

/**
 * One BullMQ worker per provider queue, each with a global rate limit (BullMQ's limiter is shared by every worker
 * process through Redis: a token bucket of VERIFY_RATE_<PLATFORM>_PER_SECOND calls). Created here rather than with
 * @Processor so the limits come from validated configuration. A throttled verification (RATE_LIMITED, or
 * Retry-After) waits at least Retry-After without using up its attempts, for at most
 * JOB_RATE_LIMIT_MAX_WAIT_SECONDS; other transient errors retry with JOB_OPTIONS' exponential backoff.
 */
@Injectable()
export class VerificationWorkers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(VerificationWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    private readonly config: AppConfigService,
    private readonly verification: MemberVerificationService,
  ) {}

  onModuleInit(): void {
    const { verifyRatePerSecond } = this.config.lifecycle;
    for (const platform of WORKSPACE_PLATFORM_SLUGS) {
      const rate = verifyRatePerSecond[platform];
      const worker = observedWorker(VERIFY_QUEUES[platform], (job: Job, token) => this.process(job, token), {
        connection: redisConnection(this.config.redisUrl),
        prefix: this.config.queuePrefix,
        concurrency: Math.min(rate, 16),
        limiter: { max: rate, duration: 1000 },
      });
      worker.on('failed', (job, error) =>
        this.logger.warn(`verify ${job?.id ?? '?'} failed: ${error.message}`),
      );
      worker.on('error', (error) => this.logger.error(`verify worker (${platform}): ${error.message}`));
      this.workers.push(worker);
    }
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    if (job.name !== JOB.VERIFY_MEMBER)
      throw new UnrecoverableError(`Unexpected job ${job.name} on ${job.queueName}`);
    try {
      return await this.verification.verify(job.data as JobPayloads['verify-member']);
    } catch (error) {
      if (!isThrottle(error)) throw error;
      this.logger.warn(
        `verify ${job.id ?? '?'} throttled (${error.type}, Retry-After ${error.retryAfterMs ?? '-'} ms): delayed`,
      );
      return deferThrottledJob(job, token, error, this.config.health.rateLimitMaxWaitSeconds * 1000);
    }
  }

  /** Stops taking jobs and waits for the ones in flight (also called first on SIGTERM, see src/worker.ts). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => closeWorker(w, workerCloseGraceMs(this.config))));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
