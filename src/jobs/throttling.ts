import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { ProviderError } from '../providers/provider.errors';

/** What a job remembers (in its progress) about the throttling it is waiting out. */
export interface ThrottleProgress {
  /** When the job was first throttled (epoch ms): the wait is bounded from here. */
  throttledSince: number;
  /** How many times it was throttled so far. */
  throttles: number;
  /** When it may run again (epoch ms). */
  retryAt: number;
}

/** Without a Retry-After: 1 s, 2 s, 4 s … doubling per throttle, at most 5 minutes. */
const FALLBACK_FIRST_MS = 1000;
const FALLBACK_MAX_MS = 5 * 60_000;
/** Spread added on top of the wait (never subtracted: the provider's Retry-After is a minimum). */
const JITTER_RATIO = 0.1;
const JITTER_MAX_MS = 5000;

/**
 * A transient provider error that asks for a wait: RATE_LIMITED (429, Calendar 403 rateLimitExceeded, Graph
 * throttling), or any other transient error that came with Retry-After (e.g. a 503).
 */
export function isThrottle(error: unknown): error is ProviderError {
  return (
    error instanceof ProviderError &&
    !error.permanent &&
    (error.type === 'RATE_LIMITED' || error.retryAfterMs !== undefined)
  );
}

function previous(job: Job): ThrottleProgress | undefined {
  const progress = job.progress as Partial<ThrottleProgress> | undefined;
  return typeof progress === 'object' && typeof progress?.throttledSince === 'number'
    ? (progress as ThrottleProgress)
    : undefined;
}

/** How long to wait before the next attempt: at least Retry-After, plus a little jitter so retries spread out. */
export function throttleDelayMs(error: ProviderError, throttles: number): number {
  const base =
    error.retryAfterMs ?? Math.min(FALLBACK_MAX_MS, FALLBACK_FIRST_MS * 2 ** Math.min(throttles, 20));
  return Math.ceil(base + Math.min(JITTER_MAX_MS, base * JITTER_RATIO * Math.random()));
}

/**
 * Waits out provider throttling without using up the job's attempts: moves the job to the delayed set until at
 * least Retry-After from now (BullMQ `moveToDelayed` does not count an attempt) and throws BullMQ's DelayedError so
 * the worker leaves it there. The wait is bounded by time, not attempts: after `maxWaitMs` of throttling the job
 * fails for good (UnrecoverableError) and whatever it was doing is picked up again by its owner (a pending member is
 * re-queued by the periodic health check). Always throws.
 */
export async function deferThrottledJob(
  job: Job,
  token: string | undefined,
  error: ProviderError,
  maxWaitMs: number,
): Promise<never> {
  const now = Date.now();
  const before = previous(job);
  const throttledSince = before?.throttledSince ?? now;
  if (!token || now - throttledSince >= maxWaitMs) {
    throw new UnrecoverableError(
      `${error.type}: still throttled after ${Math.round((now - throttledSince) / 1000)} s, giving up: ${error.message}`,
    );
  }
  const throttles = (before?.throttles ?? 0) + 1;
  const retryAt = now + throttleDelayMs(error, throttles - 1);
  const progress: ThrottleProgress = { throttledSince, throttles, retryAt };
  await job.updateProgress(progress);
  await job.moveToDelayed(retryAt, token);
  throw new DelayedError(`throttled (${error.type}): retrying at ${new Date(retryAt).toISOString()}`);
}
