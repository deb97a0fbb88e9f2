import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { closeRedisClient } from './closing';

export const REDIS = Symbol('REDIS');

/**
 * A shared ioredis client for the service's own use (readiness, caches). BullMQ opens its own connections. Commands
 * fail at once while Redis is unreachable (no offline queue) and after 2 s on a silent connection: nothing a request
 * does may wait for Redis.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): Redis =>
        new Redis(config.redisUrl, {
          lazyConnect: false,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 2000,
        }).on('error', () => undefined), // reconnects on its own; readiness reports the outage
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
