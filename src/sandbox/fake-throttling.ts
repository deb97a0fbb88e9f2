import { randomBytes } from 'node:crypto';
import type { FakeResponse } from './fake-http';

export type ThrottledPlatform = 'google' | 'office365';

/** Who a request counts against: Google per (project's client, impersonated user), Graph per (app, mailbox). */
export interface ThrottleKey {
  platform: ThrottledPlatform;
  /** Google client ID / Entra client ID. */
  app: string;
  /** Google: the impersonated user's email; Graph: the mailbox's address. */
  mailbox: string;
}

/**
 * A request quota: at most `limit` requests accepted in any sliding window of `windowSeconds` (Google computes its
 * per-minute quotas over a sliding window), counted per user (Google) or per mailbox (Graph), or with `per: 'app'`
 * over all the users of one app (Google's per-project quota, Graph's per-app limit). Beyond it the request is
 * refused with 429 (or Google's 403 userRateLimitExceeded) and a Retry-After saying when a slot frees up. A platform
 * can have one quota of each kind; a request must fit both.
 */
export interface QuotaSpec {
  platform: ThrottledPlatform;
  limit: number;
  windowSeconds: number;
  /** What one quota counts: each mailbox / user on its own (default), or the whole app. */
  per?: 'mailbox' | 'app';
  /** Google only: 429 rateLimitExceeded (default) or 403 userRateLimitExceeded. */
  status?: 429 | 403;
}

/** Exchange Online allows 4 concurrent requests per app and mailbox (Graph throttling limits, Outlook service). */
export const GRAPH_MAILBOX_CONCURRENCY = 4;

const keyOf = (k: ThrottleKey): string => `${k.platform}|${k.app}|${k.mailbox}`;
const quotaId = (platform: ThrottledPlatform, per: QuotaSpec['per']): string =>
  `${platform}:${per ?? 'mailbox'}`;
/** What a quota of kind `per` counts a request against. */
const countedAs = (k: ThrottleKey, per: QuotaSpec['per']): string =>
  per === 'app' ? `app:${k.platform}|${k.app}` : keyOf(k);

/**
 * Throttling as the real services apply it, plus what tests measure about it: requests in flight per mailbox (and
 * the most seen at once), Graph's per-mailbox concurrency limit, and optional quotas.
 */
export class ThrottleModel {
  /** Concurrent requests allowed per app and mailbox on Graph; null = unlimited. */
  graphMailboxConcurrency: number | null = GRAPH_MAILBOX_CONCURRENCY;
  /** Retry-After (seconds) of a MailboxConcurrency refusal. */
  concurrencyRetryAfterSeconds = 1;
  private readonly quotas = new Map<string, QuotaSpec>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight: Record<ThrottledPlatform, Record<string, number>> = {
    google: {},
    office365: {},
  };
  private readonly accepted = new Map<string, number[]>();
  private readonly throttled: Record<ThrottledPlatform, number> = { google: 0, office365: 0 };

  setQuota(spec: QuotaSpec): void {
    if (!(spec.limit >= 1) || !(spec.windowSeconds > 0)) throw new Error('limit >= 1 and windowSeconds > 0');
    this.quotas.set(quotaId(spec.platform, spec.per), { ...spec });
    const prefix = spec.per === 'app' ? `app:${spec.platform}|` : `${spec.platform}|`;
    for (const key of [...this.accepted.keys()]) if (key.startsWith(prefix)) this.accepted.delete(key);
  }

  listQuotas(): QuotaSpec[] {
    return [...this.quotas.values()];
  }

  clearQuotas(): void {
    this.quotas.clear();
    this.accepted.clear();
  }

  /** A request starts: returns how many are in flight for its key now, itself included. */
  enter(key: ThrottleKey): number {
    const id = keyOf(key);
    const now = (this.inFlight.get(id) ?? 0) + 1;
    this.inFlight.set(id, now);
    const max = this.maxInFlight[key.platform];
    max[key.mailbox] = Math.max(max[key.mailbox] ?? 0, now);
    return now;
  }

  /** The request was answered (or its client went away). */
  leave(key: ThrottleKey): void {
    const id = keyOf(key);
    const left = (this.inFlight.get(id) ?? 1) - 1;
    if (left > 0) this.inFlight.set(id, left);
    else this.inFlight.delete(id);
  }

  /**
   * The refusal a request gets from throttling, or undefined when it may proceed (it then counts against the
   * quota). `inFlight` is what enter() returned for it.
   */
  check(key: ThrottleKey, inFlight: number, now = Date.now()): FakeResponse | undefined {
    if (key.platform === 'office365' && this.graphMailboxConcurrency !== null) {
      if (inFlight > this.graphMailboxConcurrency) {
        this.throttled.office365++;
        return graphThrottled(
          'ApplicationThrottled',
          'Application is over its MailboxConcurrency limit.',
          this.concurrencyRetryAfterSeconds,
        );
      }
    }
    const counted: { id: string; times: number[] }[] = [];
    for (const per of ['mailbox', 'app'] as const) {
      const quota = this.quotas.get(quotaId(key.platform, per));
      if (!quota) continue;
      const id = countedAs(key, per);
      const windowMs = quota.windowSeconds * 1000;
      const times = (this.accepted.get(id) ?? []).filter((t) => t > now - windowMs);
      this.accepted.set(id, times);
      if (times.length >= quota.limit) {
        this.throttled[key.platform]++;
        const retryAfter = Math.max(1, Math.ceil((times[0] + windowMs - now) / 1000));
        return key.platform === 'google'
          ? googleQuotaExceeded(quota.status ?? 429, retryAfter)
          : graphThrottled('TooManyRequests', 'Too many requests, please try again later.', retryAfter);
      }
      counted.push({ id, times });
    }
    // Accepted: it counts against every quota it had to fit.
    for (const { times } of counted) times.push(now);
    return undefined;
  }

  counters(): {
    maxInFlight: Record<ThrottledPlatform, Record<string, number>>;
    throttled: Record<ThrottledPlatform, number>;
  } {
    return {
      maxInFlight: {
        google: { ...this.maxInFlight.google },
        office365: { ...this.maxInFlight.office365 },
      },
      throttled: { ...this.throttled },
    };
  }

  resetCounters(): void {
    this.maxInFlight.google = {};
    this.maxInFlight.office365 = {};
    this.throttled.google = 0;
    this.throttled.office365 = 0;
  }

  /** Back to the real services' defaults: Graph's concurrency limit, no quotas, counters cleared. */
  reset(): void {
    this.graphMailboxConcurrency = GRAPH_MAILBOX_CONCURRENCY;
    this.concurrencyRetryAfterSeconds = 1;
    this.clearQuotas();
    this.resetCounters();
  }
}

/** Graph's throttling answer (Outlook resources): 429 with Retry-After and `{error: {code, message, innerError}}`. */
function graphThrottled(code: string, message: string, retryAfterSeconds: number): FakeResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString(), 'request-id': randomBytes(16).toString('hex') },
      },
    },
  };
}

/** Calendar API's quota answers (Handle API errors): 429 rateLimitExceeded or 403 userRateLimitExceeded. */
function googleQuotaExceeded(status: 429 | 403, retryAfterSeconds: number): FakeResponse {
  const [reason, message, grpc] =
    status === 403
      ? ['userRateLimitExceeded', 'User Rate Limit Exceeded', 'PERMISSION_DENIED']
      : ['rateLimitExceeded', 'Rate Limit Exceeded', 'RESOURCE_EXHAUSTED'];
  return {
    status,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      error: { code: status, message, errors: [{ domain: 'usageLimits', reason, message }], status: grpc },
    },
  };
}
