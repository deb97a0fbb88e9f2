import { performance } from 'node:perf_hooks';
import { ProviderError } from '../../providers/provider.errors';
import type { WorkspacePlatformSlug } from '../../providers/provider.types';
import { providerCallDuration, providerClientCache, providerTokenMints } from './metric-definitions';

/**
 * One-line hooks for the provider layer (src/providers). Plain functions rather than an injected service, so the
 * providers keep their constructors; the series land in the process's default registry (metric-definitions.ts).
 */
export const providerTelemetry = {
  /**
   * Records one provider call — retries included — when `call` settles: its duration (seconds) under
   * `outcome` = `ok` or the ProviderError type (`RATE_LIMITED`, `PROVIDER_UNAVAILABLE`, `CLIENT_NOT_AUTHORIZED`…),
   * `unknown` for anything else. Returns `call`'s own result or rejection.
   */
  async observe<T>(platform: WorkspacePlatformSlug, operation: string, call: Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await call;
    } catch (error) {
      outcome = error instanceof ProviderError ? error.type : 'unknown';
      throw error;
    } finally {
      providerCallDuration().observe({ platform, operation, outcome }, (performance.now() - started) / 1000);
    }
  },

  /** An access token was requested from the provider's token endpoint (not served from a token cache). */
  tokenMinted(platform: WorkspacePlatformSlug): void {
    providerTokenMints().inc({ platform });
  },

  /** A lookup of the authenticated client cache: a hit reuses a client and the token it holds. */
  clientCacheLookup(hit: boolean): void {
    providerClientCache().inc({ result: hit ? 'hit' : 'miss' });
  },
};
