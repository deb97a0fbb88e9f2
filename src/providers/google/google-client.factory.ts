import { JWT } from 'google-auth-library';
import { calendar, type calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { providerTelemetry } from '../../observability/metrics/telemetry';
import type { CachedClient } from '../client-cache';
import { nodeHttpFetch } from '../node-http-fetch';
import type { GoogleServiceAccountKey } from '../provider.types';

/** One impersonating client: a JWT (caches its own access token) and a Calendar API bound to it. */
export interface GoogleClient extends CachedClient {
  readonly jwt: JWT;
  readonly calendar: calendar_v3.Calendar;
}

type RequestInterceptor = Parameters<JWT['transporter']['interceptors']['request']['add']>[0];

/** The hosts google-auth-library (token URL, hardcoded) and googleapis (rootUrl) talk to. */
const GOOGLE_HOSTS = new Set(['oauth2.googleapis.com', 'www.googleapis.com']);

/**
 * Sends every Google request of this client to `baseUrl` instead (a local fake). The token URL cannot be configured
 * in google-auth-library, so the rewrite has to happen on the JWT's own transporter, which carries both the token
 * request and the API calls.
 */
function redirectInterceptor(baseUrl: string): RequestInterceptor {
  const target = new URL(baseUrl);
  return {
    resolved: (config) => {
      if (GOOGLE_HOSTS.has(config.url.hostname)) {
        config.url = new URL(`${config.url.pathname}${config.url.search}`, target);
      }
      return Promise.resolve(config);
    },
  };
}

/** Waits before every Calendar API request (not token requests): the per-user rate limit. */
function limitInterceptor(beforeApiRequest: () => Promise<void>): RequestInterceptor {
  return {
    resolved: async (config) => {
      if (config.url.pathname.startsWith('/calendar/')) await beforeApiRequest();
      return config;
    },
  };
}

export function createGoogleClient(params: {
  credentialId: string;
  key: GoogleServiceAccountKey;
  subject: string;
  scope: string;
  timeoutMs: number;
  /** Origin replacing https://oauth2.googleapis.com and https://www.googleapis.com; unset = Google. */
  baseUrl?: string;
  /** Called (and awaited) before each Calendar API request: see ProviderLimiter. */
  beforeApiRequest?: () => Promise<void>;
}): GoogleClient {
  const jwt = new JWT({
    email: params.key.client_email,
    key: params.key.private_key,
    subject: params.subject,
    scopes: [params.scope],
    // gaxios retries 429/5xx blindly (ignoring Retry-After, ~2 s per call, even the token POST): retries are ours.
    // `retry: 0` inside retryConfig is what wins against the per-request `retryConfig` of the token request.
    // A fetch of our own (node:http, keep-alive; see nodeHttpFetch): cheaper per request than Node's fetch, and
    // gaxios would otherwise load node-fetch (ESM) through a dynamic import(), which fails in CommonJS test runners
    // without --experimental-vm-modules.
    transporterOptions: {
      timeout: params.timeoutMs,
      retryConfig: { retry: 0, noResponseRetries: 0 },
      fetchImplementation: nodeHttpFetch,
    },
  });
  jwt.on('tokens', () => providerTelemetry.tokenMinted('google'));
  if (params.beforeApiRequest) {
    jwt.transporter.interceptors.request.add(limitInterceptor(params.beforeApiRequest));
  }
  if (params.baseUrl) jwt.transporter.interceptors.request.add(redirectInterceptor(params.baseUrl));
  const options: calendar_v3.Options = { version: 'v3', auth: jwt };
  if (params.baseUrl) options.rootUrl = `${params.baseUrl}/`;
  return { credentialId: params.credentialId, jwt, calendar: calendar(options) };
}
