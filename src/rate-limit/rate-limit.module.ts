import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { closeRedisClient } from '../redis/closing';
import { ROUTE_LIMITS, ROUTE_RATE_LIMIT, type RouteLimitName } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { trackerOf } from './rate-limit.tracker';

const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/**
 * @nest-lab/throttler-storage-redis on its own ioredis connection, keys under `<QUEUE_PREFIX>:rate-limit:` (so one
 * Redis serves several deployments, and every API replica of one deployment shares the counts).
 */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        new ThrottlerStorageRedisService(
          new Redis(config.redisUrl, {
            keyPrefix: `${config.queuePrefix}:rate-limit:`,
            maxRetriesPerRequest: 1,
            lazyConnect: false,
          }),
        ),
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
class RateLimitStorageModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorageRedisService) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedisClient(this.storage.redis);
  }
}

/**
 * Rate limits as Cal.com's API v2: @nestjs/throttler as a global guard (before authentication), one `default`
 * limit per caller over RATE_LIMIT_DEFAULT_TTL_MS — API key RATE_LIMIT_DEFAULT_LIMIT_API_KEY (120), platform OAuth
 * client RATE_LIMIT_DEFAULT_LIMIT_OAUTH_CLIENT (500), client IP RATE_LIMIT_DEFAULT_LIMIT (120) — blocked for
 * RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS once exceeded, plus the per-route limits of @RouteRateLimit routes.
 * Exempt: routes marked @SkipThrottle (health, metrics) and what is not a Nest route (/docs, /admin/queues).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [AppConfigService, RATE_LIMIT_STORAGE],
      useFactory: (config: AppConfigService, storage: ThrottlerStorageRedisService) => {
        const { ttlMs, blockDurationMs, limits, routeLimits } = config.rateLimit;
        const tracker = (req: Request) => trackerOf(req, config.apiKeyPrefix);
        const routeLimitOf = (handler: object): RouteLimitName | undefined =>
          Reflect.getMetadata(ROUTE_RATE_LIMIT, handler) as RouteLimitName | undefined;
        const byKind = {
          api_key: limits.apiKey,
          oauth_client: limits.oauthClient,
          ip: limits.unauthenticated,
        };
        const throttlers: ThrottlerOptions[] = [
          {
            name: 'default',
            ttl: ttlMs,
            blockDuration: blockDurationMs,
            limit: (context) => byKind[tracker(context.switchToHttp().getRequest<Request>()).kind],
          },
          ...ROUTE_LIMITS.map((name) => ({
            name,
            ttl: ttlMs,
            blockDuration: blockDurationMs,
            limit: routeLimits[name],
            skipIf: (context: Parameters<NonNullable<ThrottlerOptions['skipIf']>>[0]) =>
              routeLimitOf(context.getHandler()) !== name,
          })),
        ];
        return {
          throttlers,
          storage,
          getTracker: (req) => tracker(req as Request).key,
          // Per caller, across routes (Cal.com's key), not @nestjs/throttler's per-route default.
          generateKey: (_context, trackerKey) => trackerKey,
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
