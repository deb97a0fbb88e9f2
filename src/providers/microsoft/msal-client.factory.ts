import { ConfidentialClientApplication, type NodeAuthOptions } from '@azure/msal-node';
import type { CachedClient } from '../client-cache';
import type { MicrosoftServiceAccountKey } from '../provider.types';
import { TimeoutNetworkClient, type TokenEndpointObservation } from './msal-network';

const LOGIN_HOST = 'login.microsoftonline.com';
const USER_ID_CACHE_SIZE = 500;

/** One Entra app in one tenant: its MSAL client (token cache) plus what we learned about it. */
export interface MsalClient extends CachedClient {
  readonly cca: ConfidentialClientApplication;
  readonly tenantId: string;
  readonly clientId: string;
  readonly observed: TokenEndpointObservation;
  /** After a 429 from the token endpoint: no token request before this time (epoch ms). */
  blockedUntil: number;
  /** Shares one token request between concurrent callers (MSAL itself does not). */
  inflight?: Promise<string>;
  /** Directory lookups: subject email → Graph user id. */
  readonly userIds: Map<string, string>;
}

/**
 * MSAL requires an https authority. To talk to a plain-http fake, the authority stays the real https one and
 * `authorityMetadata` names the fake's token endpoint: MSAL then does no discovery and POSTs there. Without a
 * configured login base URL nothing is overridden.
 */
function fakeAuthorityOptions(
  loginBaseUrl: string,
  tenantId: string,
): Pick<NodeAuthOptions, 'authorityMetadata' | 'cloudDiscoveryMetadata'> {
  const real = `https://${LOGIN_HOST}/${tenantId}`;
  return {
    authorityMetadata: JSON.stringify({
      token_endpoint: `${loginBaseUrl}/${tenantId}/oauth2/v2.0/token`,
      issuer: `${real}/v2.0`,
      authorization_endpoint: `${loginBaseUrl}/${tenantId}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${loginBaseUrl}/${tenantId}/oauth2/v2.0/logout`,
      jwks_uri: `${loginBaseUrl}/${tenantId}/discovery/v2.0/keys`,
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${real}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: LOGIN_HOST, preferred_cache: LOGIN_HOST, aliases: [LOGIN_HOST] }],
    }),
  };
}

export function createMsalClient(params: {
  credentialId: string;
  key: MicrosoftServiceAccountKey;
  timeoutMs: number;
  /** Origin serving `/{tenant}/oauth2/v2.0/token` in place of login.microsoftonline.com; unset = Entra. */
  loginBaseUrl?: string;
}): MsalClient {
  const { key } = params;
  const observed: TokenEndpointObservation = { requests: 0 };
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: key.client_id,
      clientSecret: key.private_key,
      authority: `https://${LOGIN_HOST}/${key.tenant_id}`,
      ...(params.loginBaseUrl ? fakeAuthorityOptions(params.loginBaseUrl, key.tenant_id) : {}),
    },
    system: { networkClient: new TimeoutNetworkClient(params.timeoutMs, observed) },
  });
  return {
    credentialId: params.credentialId,
    cca,
    tenantId: key.tenant_id,
    clientId: key.client_id,
    observed,
    blockedUntil: 0,
    userIds: new Map(),
  };
}

export function rememberUserId(client: MsalClient, email: string, userId: string): void {
  client.userIds.delete(email);
  client.userIds.set(email, userId);
  if (client.userIds.size > USER_ID_CACHE_SIZE) {
    const oldest = client.userIds.keys().next().value;
    if (oldest !== undefined) client.userIds.delete(oldest);
  }
}
