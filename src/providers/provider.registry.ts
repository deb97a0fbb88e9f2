import { Injectable } from '@nestjs/common';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import type { CalendarProvider, WorkspacePlatformSlug } from './provider.types';

/** Entry point of the provider layer: the implementation for a platform, and cache eviction for a credential. */
@Injectable()
export class ProviderRegistry {
  private readonly providers: Readonly<
    Record<WorkspacePlatformSlug, CalendarProvider & { evict(id: string): void }>
  >;

  constructor(google: GoogleCalendarProvider, microsoft: MicrosoftCalendarProvider) {
    this.providers = { google, office365: microsoft };
  }

  get(platform: WorkspacePlatformSlug): CalendarProvider {
    const provider = this.providers[platform] as CalendarProvider | undefined;
    if (!provider) throw new Error(`No calendar provider for platform "${String(platform)}"`);
    return provider;
  }

  /**
   * Forgets every cached client and token of a credential, on every platform. Call it after rotating the key and
   * when disabling or deleting the credential, so no request keeps using the old key or a token minted with it.
   */
  evict(credentialId: string): void {
    for (const provider of Object.values(this.providers)) provider.evict(credentialId);
  }
}
