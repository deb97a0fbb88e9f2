import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppConfigService } from '../config/app-config.service';
import { httpRateLimited } from '../observability/metrics/metric-definitions';
import { trackerOf } from './rate-limit.tracker';

/** Cal.com's message, so clients matching on it keep working. */
export const RATE_LIMIT_MESSAGE = 'CustomThrottlerGuard - Too many requests. Please try again later.';

const headerName = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * @nestjs/throttler's guard with Cal.com API v2's behaviour (apps/api/v2/src/lib/throttler-guard.ts):
 * - on every limited response, per limit name (`Default`, `Verify`, `BusyTimes`): `X-RateLimit-Limit-<Name>`,
 *   `X-RateLimit-Remaining-<Name>` (0 while blocked) and `X-RateLimit-Reset-<Name>` — Unix seconds when the window
 *   (or, while blocked, the block) ends, as Cal.com documents it (its code sends the seconds left instead);
 * - over a limit: 429 ThrottlerException with Cal.com's message in the error envelope, plus `Retry-After` (seconds);
 * - counted per caller across all routes (not per route), so replicas sharing the Redis storage share the limit.
 * Off with RATE_LIMIT_ENABLED=false. If Redis cannot be reached the request is let through (logged): rate limiting
 * must not take the API down.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger(RateLimitGuard.name);

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfigService,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.config.rateLimit.enabled || context.getType() !== 'http');
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const { req, res } = this.getRequestResponse(context) as { req: Request; res: Response };
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(req, context), name);
    let record: Awaited<ReturnType<ThrottlerStorage['increment']>>;
    try {
      record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    } catch (error) {
      this.log.warn(`rate limit ${name} not checked (storage unavailable): ${(error as Error).message}`);
      return true;
    }
    const { totalHits, timeToExpire, isBlocked, timeToBlockExpire } = record;
    const now = Math.floor(Date.now() / 1000);
    res.setHeader(`X-RateLimit-Limit-${headerName(name)}`, limit);
    res.setHeader(
      `X-RateLimit-Remaining-${headerName(name)}`,
      isBlocked ? 0 : Math.max(0, limit - totalHits),
    );
    res.setHeader(
      `X-RateLimit-Reset-${headerName(name)}`,
      now + (isBlocked ? timeToBlockExpire : timeToExpire),
    );
    if (isBlocked) {
      res.setHeader('Retry-After', Math.max(1, timeToBlockExpire));
      httpRateLimited().inc({ limit: name, caller: trackerOf(req, this.config.apiKeyPrefix).kind });
      throw new ThrottlerException(RATE_LIMIT_MESSAGE);
    }
    return true;
  }
}
