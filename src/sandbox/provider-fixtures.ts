import { createHash } from 'node:crypto';
import type { DelegatedCredential } from '../providers/provider.types';
import type { ProviderOptions } from '../providers/provider-options';
import type { GoogleServiceAccountJson } from './fake-google';
import type { MicrosoftAppCredentials } from './fake-microsoft';

/**
 * Helpers for tests that run the real provider SDKs against FakeProviderServer: credentials shaped like the ones
 * the repository hands to the provider layer, and retry/timeout settings small enough for fast tests.
 */
export const FAST_PROVIDER_OPTIONS: Partial<ProviderOptions> = {
  requestTimeoutMs: 2_000,
  maxUnavailableRetries: 2,
  initialBackoffMs: 20,
  maxBackoffMs: 100,
  maxRateLimitRetries: 2,
  maxInlineRetryAfterMs: 1_500,
  conferenceReadDelayMs: 20,
};

const keyFingerprint = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex');

export function googleCredential(
  key: GoogleServiceAccountJson,
  id = `cred-${key.private_key_id.slice(0, 8)}`,
): DelegatedCredential {
  return {
    id,
    keyFingerprint: keyFingerprint(key.private_key),
    platform: 'google',
    key: { private_key: key.private_key, client_email: key.client_email, client_id: key.client_id },
  };
}

export function microsoftCredential(
  app: MicrosoftAppCredentials,
  id = `cred-${app.client_id.slice(0, 8)}`,
): DelegatedCredential {
  return { id, keyFingerprint: keyFingerprint(app.private_key), platform: 'office365', key: { ...app } };
}

/** The slice of AppConfigService the providers read, pointing every endpoint at the fake. */
export function fakeEndpoints(url: string) {
  return {
    providerEndpoints: { googleApiBaseUrl: url, microsoftLoginBaseUrl: url, microsoftGraphBaseUrl: url },
  };
}
