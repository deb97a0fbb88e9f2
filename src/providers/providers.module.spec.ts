import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { AppConfigService } from '../config/app-config.service';
import { FakeProviderServer } from '../sandbox/fake-provider.server';
import { fakeEndpoints, googleCredential } from '../sandbox/provider-fixtures';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import { PROVIDER_LIMITER, RedisProviderLimiter } from './provider-limiter';
import { ProviderRegistry } from './provider.registry';
import { ProvidersModule } from './providers.module';

describe('ProvidersModule / ProviderRegistry', () => {
  let fake: FakeProviderServer;
  let redis: Redis;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    redis.disconnect();
    await fake.close();
  });

  async function compile(module: ReturnType<typeof ProvidersModule.forRoot> | typeof ProvidersModule) {
    const config = {
      ...fakeEndpoints(fake.url),
      queuePrefix: process.env.QUEUE_PREFIX ?? 'test',
      providerLimits: {
        google: { requests: 600, windowSeconds: 60 },
        graph: { concurrency: 4, requests: 10_000, windowSeconds: 600 },
        maxWaitMs: 1000,
      },
    };
    @Global()
    @Module({
      providers: [
        { provide: AppConfigService, useValue: config },
        { provide: REDIS, useValue: redis },
      ],
      exports: [AppConfigService, REDIS],
    })
    class ConfigStub {}
    return Test.createTestingModule({ imports: [ConfigStub, module] }).compile();
  }
  const registry = async (module: ReturnType<typeof ProvidersModule.forRoot> | typeof ProvidersModule) =>
    (await compile(module)).get(ProviderRegistry);

  it('provides the Redis-backed limiter to both providers', async () => {
    const ref = await compile(ProvidersModule);
    expect(ref.get(PROVIDER_LIMITER)).toBeInstanceOf(RedisProviderLimiter);
  });

  it('resolves one provider per platform', async () => {
    const providers = await registry(ProvidersModule);
    expect(providers.get('google')).toBeInstanceOf(GoogleCalendarProvider);
    expect(providers.get('office365')).toBeInstanceOf(MicrosoftCalendarProvider);
    expect(providers.get('google').platform).toBe('google');
    expect(() => providers.get('exchange' as never)).toThrow('No calendar provider');
  });

  it('evict() reaches every platform', async () => {
    const providers = await registry(ProvidersModule);
    const google = jest.spyOn(providers.get('google') as GoogleCalendarProvider, 'evict');
    const microsoft = jest.spyOn(providers.get('office365') as MicrosoftCalendarProvider, 'evict');
    providers.evict('cred-1');
    expect(google).toHaveBeenCalledWith('cred-1');
    expect(microsoft).toHaveBeenCalledWith('cred-1');
  });

  it('forRoot() tuning reaches the providers (no 5xx retry here)', async () => {
    const key = await fake.createGoogleServiceAccount();
    fake.addGoogleUser('henry@initech.test');
    fake.authorizeDomainWideDelegation('initech.test', key.client_id);
    fake.injectFault({ route: 'google.calendarList', status: 500 });
    const providers = await registry(ProvidersModule.forRoot({ maxUnavailableRetries: 0 }));
    await expect(
      providers.get('google').checkAccess(googleCredential(key), 'henry@initech.test'),
    ).rejects.toMatchObject({
      type: 'PROVIDER_UNAVAILABLE',
    });
    expect(fake.callCount('google.calendarList')).toBe(1);
  });
});
