/**
 * Tuning of the provider layer. Defaults suit the API (answer within a few seconds); tests shrink the delays.
 * Jobs retry on top of this, so the inline retries are deliberately few and short.
 */
export interface ProviderOptions {
  /** Timeout of every single HTTP request (token endpoints and APIs). Timeouts are not retried inline. */
  requestTimeoutMs: number;
  /** Inline retries of PROVIDER_UNAVAILABLE (5xx, connection errors) per operation. */
  maxUnavailableRetries: number;
  /** First backoff delay after a 5xx; doubles per retry, capped by `maxBackoffMs`, with jitter. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How many times one operation waits out a 429 before giving up with RATE_LIMITED. */
  maxRateLimitRetries: number;
  /** Longest Retry-After waited for inline; a longer one is returned at once as RATE_LIMITED with retryAfterMs. */
  maxInlineRetryAfterMs: number;
  /**
   * Most pages followed when a provider pages a list (Google `nextPageToken`, Graph `@odata.nextLink`); beyond it,
   * or when a page points back to an earlier one, the call fails with PROVIDER_UNAVAILABLE instead of spinning.
   */
  maxPages: number;
  /**
   * Reads of a new event while its Meet / Teams link is still being created (Google answers Meet `pending`), before
   * the event is answered with its conference `pending` (a job fills the link in later).
   */
  conferenceReadAttempts: number;
  /** Wait before the first of those reads; doubles per read (400 → 800 → 1,600 ms: at most ~2.8 s in all). */
  conferenceReadDelayMs: number;
  /** Entries of the per-platform LRU of authenticated clients (one per credential, key and subject). */
  clientCacheSize: number;
  /** An unused client (and its cached token) is dropped after this long. */
  clientIdleTtlMs: number;
}

export const DEFAULT_PROVIDER_OPTIONS: Readonly<ProviderOptions> = Object.freeze({
  requestTimeoutMs: 10_000,
  maxUnavailableRetries: 2,
  initialBackoffMs: 250,
  maxBackoffMs: 2_000,
  maxRateLimitRetries: 2,
  maxInlineRetryAfterMs: 3_000,
  maxPages: 100,
  conferenceReadAttempts: 3,
  conferenceReadDelayMs: 400,
  clientCacheSize: 1_000,
  clientIdleTtlMs: 60 * 60_000,
});

/** Nest injection token of the (partial) options; missing fields take the defaults. */
export const PROVIDER_OPTIONS = Symbol('PROVIDER_OPTIONS');

export function resolveProviderOptions(options?: Partial<ProviderOptions>): ProviderOptions {
  return { ...DEFAULT_PROVIDER_OPTIONS, ...options };
}
