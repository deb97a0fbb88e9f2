import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Semaphore, TimeoutError } from 'redis-semaphore';
import { ProviderError } from './provider.errors';

/**
 * How hard the service may hit the providers, per the providers' own documented limits:
 * - Google Calendar API: a per-user-per-project quota, 600 requests per minute over a sliding window (Calendar API
 *   "Usage limits").
 * - Microsoft Graph (Outlook resources): 4 concurrent requests and 10,000 requests per 10 minutes per app and
 *   mailbox (Graph "throttling limits", Outlook service limits).
 */
export interface ProviderLimits {
  google: { requests: number; windowSeconds: number };
  graph: { concurrency: number; requests: number; windowSeconds: number };
  /** Longest a call waits for its turn; beyond it, RATE_LIMITED with a Retry-After estimate (ms). */
  maxWaitMs: number;
}

/**
 * Gate in front of every provider API request, shared by the API and the workers of every process through Redis.
 * Waiting here replaces a 429 from the provider; when the wait would be longer than `maxWaitMs` the call fails at
 * once with RATE_LIMITED (and retryAfterMs), the same error an inline throttling answer gives.
 */
export interface ProviderLimiter {
  /** Waits for the subject's turn at the Google Calendar API (token requests are not counted). */
  googleRequest(clientId: string, subject: string): Promise<void>;
  /** Runs one Graph request to a mailbox within its concurrency and rate limits. */
  graphRequest<T>(appKey: string, mailbox: string, run: () => Promise<T>): Promise<T>;
}

/** Nest injection token of the ProviderLimiter (optional in the providers: none means no limiting). */
export const PROVIDER_LIMITER = Symbol('PROVIDER_LIMITER');

/**
 * The fixed window (`points` per `durationSeconds`, integer seconds) that never lets more than `limit` requests into
 * any sliding window of `windowSeconds`: a sliding window meets at most windowSeconds / duration + 1 fixed windows,
 * so points = ⌊limit · duration / (windowSeconds + duration)⌋, with the shortest duration that allows one request.
 * E.g. 600 per 60 s → 9 per second (540 per minute, a burst never crosses the quota).
 */
export function fixedWindowFor(
  limit: number,
  windowSeconds: number,
): { points: number; durationSeconds: number } {
  if (limit <= 1) return { points: 1, durationSeconds: Math.max(1, Math.ceil(windowSeconds)) };
  const durationSeconds = Math.max(1, Math.ceil(windowSeconds / (limit - 1)));
  const points = Math.max(1, Math.floor((limit * durationSeconds) / (windowSeconds + durationSeconds)));
  return { points, durationSeconds };
}

const SEMAPHORE_LEASE_MS = 30_000;
const SEMAPHORE_POLL_MS = 20;

/** ProviderLimiter on Redis: rate-limiter-flexible for the rates, redis-semaphore for Graph's concurrency. */
export class RedisProviderLimiter implements ProviderLimiter {
  private readonly logger = new Logger(RedisProviderLimiter.name);
  private readonly googleRate: RateLimiterRedis;
  private readonly graphRate: RateLimiterRedis;
  private lastRedisWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly limits: ProviderLimits,
    /** Prefix of every key (the service's QUEUE_PREFIX, so deployments and test runs sharing a Redis stay apart). */
    private readonly keyPrefix: string,
  ) {
    const google = fixedWindowFor(limits.google.requests, limits.google.windowSeconds);
    const graph = fixedWindowFor(limits.graph.requests, limits.graph.windowSeconds);
    this.googleRate = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:provider-limits:google-rate`,
      points: google.points,
      duration: google.durationSeconds,
    });
    this.graphRate = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:provider-limits:graph-rate`,
      points: graph.points,
      duration: graph.durationSeconds,
    });
  }

  async googleRequest(clientId: string, subject: string): Promise<void> {
    await this.takeRate(
      this.googleRate,
      `${clientId}:${subject}`,
      Date.now() + this.limits.maxWaitMs,
      'google',
    );
  }

  async graphRequest<T>(appKey: string, mailbox: string, run: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.limits.maxWaitMs;
    const key = `${appKey}:${mailbox.toLowerCase()}`;
    const slot = new Semaphore(
      this.redis,
      `${this.keyPrefix}:provider-limits:graph-concurrency:${key}`,
      this.limits.graph.concurrency,
      {
        // A crashed process's slot frees itself after the lease; a live one keeps refreshing it.
        lockTimeout: SEMAPHORE_LEASE_MS,
        refreshInterval: SEMAPHORE_LEASE_MS / 3,
        acquireTimeout: Math.max(1, this.limits.maxWaitMs),
        retryInterval: SEMAPHORE_POLL_MS,
        onLockLost: () => this.logger.warn(`lost a Graph concurrency slot of ${mailbox}`),
      },
    );
    const held = await this.acquire(slot, mailbox);
    try {
      await this.takeRate(this.graphRate, key, deadline, 'office365');
      return await run();
    } finally {
      if (held) await slot.release().catch((error: unknown) => this.redisDown(error));
    }
  }

  /** Takes a concurrency slot; false when Redis cannot be reached (the request then goes ahead unlimited). */
  private async acquire(slot: Semaphore, mailbox: string): Promise<boolean> {
    try {
      await slot.acquire();
      return true;
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new ProviderError(
          'RATE_LIMITED',
          `More than ${this.limits.graph.concurrency} concurrent Microsoft Graph requests for ${mailbox} waited ` +
            `${this.limits.maxWaitMs} ms for a slot (Exchange allows ${this.limits.graph.concurrency} per app and mailbox).`,
          'office365',
          1000,
        );
      }
      this.redisDown(error);
      return false;
    }
  }

  /** Waits for a point of `limiter` until `deadline`; past it, RATE_LIMITED with the time left before one frees. */
  private async takeRate(
    limiter: RateLimiterRedis,
    key: string,
    deadline: number,
    platform: 'google' | 'office365',
  ): Promise<void> {
    for (;;) {
      let waitMs: number;
      try {
        await limiter.consume(key);
        return;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) {
          this.redisDown(refusal);
          return;
        }
        waitMs = Math.max(1, refusal.msBeforeNext);
      }
      if (Date.now() + waitMs > deadline) {
        throw new ProviderError(
          'RATE_LIMITED',
          `${platform === 'google' ? 'Google Calendar' : 'Microsoft Graph'} request rate for ${key.split(':').pop()} ` +
            `is at its limit; retry in ${Math.ceil(waitMs / 1000)} s.`,
          platform,
          waitMs,
        );
      }
      // A little jitter so the waiters of one window do not all come back at the same millisecond.
      await sleep(waitMs + Math.floor(Math.random() * 25));
    }
  }

  /** Redis unreachable: fail open (the providers enforce their limits anyway), and say so at most once a minute. */
  private redisDown(error: unknown): void {
    if (Date.now() - this.lastRedisWarning < 60_000) return;
    this.lastRedisWarning = Date.now();
    this.logger.warn(`provider limiter unavailable, requests go unlimited: ${String(error)}`);
  }
}
