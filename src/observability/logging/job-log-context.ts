import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

/** Bindings of every log line a job causes: job id, queue, job name, attempt, and the credential it is about. */
export function jobLogBindings(job: Job): Record<string, unknown> {
  const data = (job.data ?? {}) as { credentialId?: unknown; webhookId?: unknown };
  return {
    jobId: job.id,
    queue: job.queueName,
    jobName: job.name,
    attempt: job.attemptsMade + 1,
    ...(typeof data.credentialId === 'string' ? { credentialId: data.credentialId } : {}),
    ...(typeof data.webhookId === 'string' ? { webhookId: data.webhookId } : {}),
  };
}

/**
 * Runs `fn` (a job's processing) in a logging context of its own, so every Nest Logger line it causes carries
 * jobLogBindings(job) — nestjs-pino's runInContext, the same AsyncLocalStorage that carries request ids. Without
 * the logging module (unit tests) it just runs `fn`.
 */
export function runInJobLogContext<T>(job: Job, fn: () => Promise<T>): Promise<T> {
  if (!PinoLogger.root) return fn();
  return PinoLogger.prototype.runInContext(fn, { bindings: jobLogBindings(job) });
}
