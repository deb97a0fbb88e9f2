import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfigService } from '../config/app-config.service';
import { FakeProviderServer } from '../sandbox/fake-provider.server';
import { fakeEndpoints, googleCredential } from '../sandbox/provider-fixtures';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import { ProviderRegistry } from './provider.registry';
import { ProvidersModule } from './providers.module';

describe('ProvidersModule / ProviderRegistry', () => {
  let fake: FakeProviderServer;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
  });
  afterAll(() => fake.close());

  async function registry(module: ReturnType<typeof ProvidersModule.forRoot> | typeof ProvidersModule) {
    @Global()
    @Module({
      providers: [{ provide: AppConfigService, useValue: fakeEndpoints(fake.url) }],
      exports: [AppConfigService],
    })
    class ConfigStub {}
    const ref = await Test.createTestingModule({ imports: [ConfigStub, module] }).compile();
    return ref.get(ProviderRegistry);
  }

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
