import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { REDIS } from '../redis/redis.module';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import { PROVIDER_LIMITER, RedisProviderLimiter } from './provider-limiter';
import { PROVIDER_OPTIONS, type ProviderOptions } from './provider-options';
import { ProviderRegistry } from './provider.registry';

/**
 * Google Workspace and Microsoft 365 calendar access for delegation credentials. Needs AppConfigService and the
 * shared Redis client (REDIS, global): every provider request passes the Redis-backed ProviderLimiter, so the API
 * and all workers share the providers' per-user and per-mailbox limits. Endpoints come from GOOGLE_API_BASE_URL /
 * MICROSOFT_LOGIN_BASE_URL / MICROSOFT_GRAPH_BASE_URL (unset = real hosts).
 * Import `ProvidersModule` for the defaults, or `ProvidersModule.forRoot({ ...tuning })`.
 */
@Global()
@Module({
  providers: [
    GoogleCalendarProvider,
    MicrosoftCalendarProvider,
    ProviderRegistry,
    { provide: PROVIDER_OPTIONS, useValue: {} },
    {
      provide: PROVIDER_LIMITER,
      inject: [AppConfigService, REDIS],
      useFactory: (config: AppConfigService, redis: Redis) =>
        new RedisProviderLimiter(redis, config.providerLimits, config.queuePrefix),
    },
  ],
  exports: [ProviderRegistry],
})
export class ProvidersModule {
  static forRoot(options: Partial<ProviderOptions>): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      providers: [{ provide: PROVIDER_OPTIONS, useValue: options }],
      exports: [ProviderRegistry],
    };
  }
}
