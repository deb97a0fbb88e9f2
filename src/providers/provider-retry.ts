import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from './provider.errors';
import type { ProviderOptions } from './provider-options';

type RetryPolicy = Pick<
  ProviderOptions,
  | 'maxUnavailableRetries'
  | 'initialBackoffMs'
  | 'maxBackoffMs'
  | 'maxRateLimitRetries'
  | 'maxInlineRetryAfterMs'
>;

/** Transient errors that must not be retried inline (e.g. a timeout: retrying would double the caller's wait). */
const finalErrors = new WeakSet<ProviderError>();

export function noInlineRetry(error: ProviderError): ProviderError {
  finalErrors.add(error);
  return error;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel callers spread out. */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** retry);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3), in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Runs `run` and retries what a quick retry can fix. The SDKs' own retries are disabled, because they ignore
 * Retry-After (gaxios) or wait far too long (Graph: up to 180 s):
 * - RATE_LIMITED: waits Retry-After (or a backoff when absent) if it is at most `maxInlineRetryAfterMs`, at most
 *   `maxRateLimitRetries` times; otherwise throws at once so the caller / job can schedule a later retry.
 * - PROVIDER_UNAVAILABLE: exponential backoff, `maxUnavailableRetries` times.
 * - permanent errors: never retried (a configuration problem does not fix itself in a second).
 * `run` receives the attempt number (0 first) and must throw ProviderError only.
 */
export async function withRetry<T>(
  run: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: ProviderError, delayMs: number, attempt: number) => void,
): Promise<T> {
  let rateLimitRetries = 0;
  let unavailableRetries = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.permanent || finalErrors.has(error)) throw error;
      let delay: number | undefined;
      if (error.type === 'RATE_LIMITED') {
        const wait = error.retryAfterMs ?? backoffDelay(rateLimitRetries, policy);
        if (rateLimitRetries < policy.maxRateLimitRetries && wait <= policy.maxInlineRetryAfterMs) {
          delay = wait;
          rateLimitRetries++;
        }
      } else if (unavailableRetries < policy.maxUnavailableRetries) {
        delay = backoffDelay(unavailableRetries, policy);
        unavailableRetries++;
      }
      if (delay === undefined) throw error;
      onRetry?.(error, delay, attempt);
      await sleep(delay);
    }
  }
}
