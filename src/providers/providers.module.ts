import { type DynamicModule, Global, Module } from '@nestjs/common';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import { PROVIDER_OPTIONS, type ProviderOptions } from './provider-options';
import { ProviderRegistry } from './provider.registry';

/**
 * Google Workspace and Microsoft 365 calendar access for delegation credentials. Needs AppConfigService (global);
 * endpoints come from GOOGLE_API_BASE_URL / MICROSOFT_LOGIN_BASE_URL / MICROSOFT_GRAPH_BASE_URL (unset = real hosts).
 * Import `ProvidersModule` for the defaults, or `ProvidersModule.forRoot({ ...tuning })`.
 */
@Global()
@Module({
  providers: [
    GoogleCalendarProvider,
    MicrosoftCalendarProvider,
    ProviderRegistry,
    { provide: PROVIDER_OPTIONS, useValue: {} },
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
