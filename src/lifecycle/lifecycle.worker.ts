import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { ConferenceLinksService } from '../calendars/events/conference-links.service';
import { AppConfigService } from '../config/app-config.service';
import { JobsService } from '../jobs/jobs.service';
import { JOB, type JobPayloads, LIFECYCLE_QUEUE, type LifecycleJobName } from '../jobs/jobs.types';
import { redisConnection } from '../jobs/redis-connection';
import { deferThrottledJob, isThrottle } from '../jobs/throttling';
import { closeWorker, workerCloseGraceMs } from '../redis/closing';
import { observedWorker } from '../observability/jobs/observed-worker';
import { ProviderError } from '../providers/provider.errors';
import { CredentialHealthCheckService } from './credential-health-check.service';
import { CredentialLifecycleService } from './credential-lifecycle.service';
import { ReconciliationService } from './reconciliation.service';

type Handlers = { [N in LifecycleJobName]: (payload: JobPayloads[N], job: Job) => Promise<unknown> };

/**
 * Runs lifecycle jobs (worker process only). One handler per job name — the mapped type makes a missing handler a
 * compile error, and onModuleInit refuses to boot if the registry and the handlers disagree at run time.
 * Handlers throw to let BullMQ retry with backoff; permanent provider errors are not retried; throttling waits out
 * Retry-After without using up attempts (see deferThrottledJob). A worker killed mid-job loses nothing: after the
 * lock expires the job is picked up again and resumes from its saved cursor. At boot it (re)installs the health
 * sweep's job scheduler (HEALTH_CHECK_INTERVAL_SECONDS; 0 removes it) and reconciliation's
 * (RECONCILE_INTERVAL_SECONDS; 0 removes it), and queues one reconciliation now.
 */
@Injectable()
export class LifecycleWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleWorker.name);
  private readonly handlers: Handlers;
  private worker?: Worker;

  constructor(
    private readonly lifecycle: CredentialLifecycleService,
    private readonly healthCheck: CredentialHealthCheckService,
    private readonly reconciliation: ReconciliationService,
    private readonly jobs: JobsService,
    private readonly config: AppConfigService,
    private readonly conferenceLinks: ConferenceLinksService,
  ) {
    this.handlers = {
      [JOB.PROVISION_CREDENTIAL]: (p, job) => this.lifecycle.provision(p, job),
      [JOB.CLEANUP_CREDENTIAL]: (p, job) => this.lifecycle.cleanup(p, job),
      [JOB.DELETE_CREDENTIAL]: (p, job) => this.lifecycle.delete(p, job),
      [JOB.SYNC_MEMBER]: (p, job) => this.lifecycle.syncMember(p, job),
      [JOB.HEALTH_SWEEP]: (p, job) => this.healthCheck.sweep(p, job),
      [JOB.CHECK_CREDENTIAL_HEALTH]: (p, job) => this.healthCheck.check(p, job),
      [JOB.REVERIFY_MEMBERS]: (p, job) => this.healthCheck.reverify(p, job),
      [JOB.RESYNC_CREDENTIAL]: (p, job) => this.lifecycle.resync(p, job),
      [JOB.RECONCILE]: (p, job) => this.reconciliation.reconcile(p, job),
      [JOB.FILL_CONFERENCE_LINK]: (p, job) => this.conferenceLinks.fill(p, job),
    };
  }

  async onModuleInit(): Promise<void> {
    const registered = Object.keys(this.handlers).sort();
    const declared = Object.values(JOB)
      .filter((name) => name !== JOB.VERIFY_MEMBER && name !== JOB.DELIVER_WEBHOOK)
      .sort();
    if (registered.length !== declared.length || registered.some((name, i) => name !== declared[i])) {
      throw new Error(
        `Job handlers [${registered.join(', ')}] do not match the job registry [${declared.join(', ')}]`,
      );
    }
    const { workerConcurrency, lockDurationMs } = this.config.lifecycle;
    this.worker = observedWorker(LIFECYCLE_QUEUE, (job: Job, token) => this.process(job, token), {
      connection: redisConnection(this.config.redisUrl),
      prefix: this.config.queuePrefix,
      concurrency: workerConcurrency,
      lockDuration: lockDurationMs,
      stalledInterval: lockDurationMs,
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn(`${job?.name ?? '?'} ${job?.id ?? '?'} failed: ${error.message}`),
    );
    await this.jobs.scheduleHealthSweep(this.config.health.checkIntervalSeconds);
    await this.jobs.scheduleReconciliation(this.config.durability.reconcileIntervalSeconds);
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers[job.name as LifecycleJobName] as
      ((p: unknown, j: Job) => Promise<unknown>) | undefined;
    if (!handler) throw new UnrecoverableError(`No handler for job ${job.name}`);
    try {
      return await handler(job.data, job);
    } catch (error) {
      if (error instanceof ProviderError && error.permanent) {
        this.logger.warn(`${job.name} ${job.id}: permanent provider error ${error.type}, not retried`);
        throw new UnrecoverableError(`${error.type}: ${error.message}`);
      }
      if (isThrottle(error))
        return deferThrottledJob(job, token, error, this.config.health.rateLimitMaxWaitSeconds * 1000);
      throw error;
    }
  }

  /** Stops taking jobs and waits for the ones in flight (also called first on SIGTERM, see src/worker.ts). */
  async close(): Promise<void> {
    if (this.worker) await closeWorker(this.worker, workerCloseGraceMs(this.config));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
