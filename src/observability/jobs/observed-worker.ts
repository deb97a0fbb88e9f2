import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type Job, type Processor, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { DeliveryResult } from '../../webhooks/webhook-delivery.worker';
import { runInJobLogContext } from '../logging/job-log-context';
import { jobDuration, jobsStalled, webhookDeliveries } from '../metrics/metric-definitions';

/** Errors BullMQ uses to park a job (not failures): it comes back later. */
const PARKING_ERRORS = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError', 'RateLimitError']);

/** How an attempt that threw ends, by BullMQ's own rule (Job.shouldRetryJob): retried while attempts remain. */
function failureOutcome(job: Job, error: unknown): 'delayed' | 'retrying' | 'failed' {
  const name = error instanceof Error ? error.name : '';
  if (PARKING_ERRORS.has(name)) return 'delayed';
  if (error instanceof UnrecoverableError || name === 'UnrecoverableError') return 'failed';
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1) ? 'retrying' : 'failed';
}

/**
 * `new Worker(queue, processor, options)` with the service's job telemetry, for every place a Worker is created:
 * - each attempt runs in a logging context of its own (job id, queue, job name, attempt, credential id on every
 *   line it logs: runInJobLogContext);
 * - each attempt's duration lands in dc_job_duration_seconds{queue,name,outcome} with outcome `completed`,
 *   `retrying` (it failed and BullMQ will try again), `failed` (given up) or `delayed`;
 * - stalled jobs (a worker lost the lock) count in dc_jobs_stalled_total{queue};
 * - every job records which worker process took it (BullMQ's `processedBy`, shown by /admin/queues):
 *   `<hostname>:<pid>` unless `options.name` says otherwise.
 */
export function observedWorker(queue: string, processor: Processor, options: WorkerOptions): Worker {
  const worker = new Worker(
    queue,
    (job, token, signal) =>
      runInJobLogContext(job, async () => {
        const started = performance.now();
        let outcome = 'completed';
        try {
          return (await processor(job, token, signal)) as unknown;
        } catch (error) {
          outcome = failureOutcome(job, error);
          throw error;
        } finally {
          jobDuration().observe(
            { queue: job.queueName, name: job.name, outcome },
            (performance.now() - started) / 1000,
          );
        }
      }),
    { name: `${hostname()}:${process.pid}`, ...options },
  );
  worker.on('stalled', () => jobsStalled().inc({ queue }));
  return worker;
}

/**
 * Counts org webhook deliveries by outcome in dc_webhook_deliveries_total: `delivered`, `skipped` (webhook deleted,
 * inactive or unsubscribed), `retrying` (the attempt failed and will be retried) and `failed` (given up: a final
 * refusal, or the last attempt). Attach once to the delivery worker.
 */
export function observeWebhookDeliveries(worker: Worker): void {
  worker.on('completed', (_job, result: DeliveryResult) =>
    webhookDeliveries().inc({ outcome: result.delivered ? 'delivered' : 'skipped' }),
  );
  worker.on('failed', (job) =>
    // BullMQ sets finishedOn only when it moves the job to failed for good.
    webhookDeliveries().inc({ outcome: job?.finishedOn ? 'failed' : 'retrying' }),
  );
}
