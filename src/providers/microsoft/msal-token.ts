import { providerTelemetry } from '../../observability/metrics/telemetry';
import { MICROSOFT_GRAPH_DEFAULT_SCOPE } from '../provider.types';
import { ProviderError } from '../provider.errors';
import { parseRetryAfter } from '../provider-retry';
import type { MsalClient } from './msal-client.factory';
import { classifyMsalError, type MicrosoftErrorContext } from './microsoft-errors';

/** Below this, a remaining block is clock noise after sleeping exactly Retry-After, not a reason to refuse. */
const BLOCK_TOLERANCE_MS = 50;

/**
 * An app-only Graph token for `client`, from MSAL's cache when still valid. Called before every Graph request so
 * MSAL errors surface with their own codes (inside Graph's middleware they become an opaque GraphError -1).
 *
 * MSAL keeps a per-instance throttle cache: after a 429 or 5xx it fails locally, without a request, for
 * Retry-After or a fixed 60 s. That would turn our short 5xx backoff into local failures, so the cache is cleared
 * after such answers and the 429 window is enforced here instead, from the Retry-After we saw.
 */
export function acquireGraphToken(
  client: MsalClient,
  ctx: MicrosoftErrorContext,
  forceRefresh = false,
): Promise<string> {
  if (client.inflight && !forceRefresh) return client.inflight;
  const request = requestToken(client, ctx, forceRefresh).finally(() => {
    if (client.inflight === request) client.inflight = undefined;
  });
  client.inflight = request;
  return request;
}

async function requestToken(
  client: MsalClient,
  ctx: MicrosoftErrorContext,
  forceRefresh: boolean,
): Promise<string> {
  const blockedForMs = client.blockedUntil - Date.now();
  if (blockedForMs > BLOCK_TOLERANCE_MS) {
    throw new ProviderError(
      'RATE_LIMITED',
      `Microsoft throttled token requests of app ${client.clientId} in tenant ${client.tenantId}; retry later.`,
      'office365',
      blockedForMs,
    );
  }
  client.observed.requests = 0;
  client.observed.status = undefined;
  client.observed.retryAfter = undefined;
  client.observed.failure = undefined;
  try {
    const result = await client.cca.acquireTokenByClientCredential({
      scopes: [MICROSOFT_GRAPH_DEFAULT_SCOPE],
      skipCache: forceRefresh,
    });
    if (!result?.accessToken) {
      throw new ProviderError(
        'PROVIDER_UNAVAILABLE',
        'Microsoft Entra returned no access token.',
        'office365',
      );
    }
    if (!result.fromCache) providerTelemetry.tokenMinted('office365');
    return result.accessToken;
  } catch (error) {
    const { requests, status, retryAfter, failure } = client.observed;
    const localReplay = requests === 0;
    if (!localReplay && status !== undefined && (status === 429 || status >= 500)) {
      client.cca.clearCache();
      if (status === 429) client.blockedUntil = Date.now() + (parseRetryAfter(retryAfter) ?? 0);
    }
    throw classifyMsalError(error, ctx, {
      status: localReplay ? undefined : status,
      retryAfter,
      localReplay,
      blockedForMs: Math.max(0, client.blockedUntil - Date.now()) || undefined,
      failure,
    });
  }
}
