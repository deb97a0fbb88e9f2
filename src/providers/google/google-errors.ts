import { ProviderError } from '../provider.errors';
import { noInlineRetry, parseRetryAfter } from '../provider-retry';

/** What a failed call was about, for messages an admin can act on. Never holds key material. */
export interface GoogleErrorContext {
  operation: string;
  subject: string;
  clientId: string;
  clientEmail: string;
  scope: string;
  timeoutMs: number;
}

/**
 * The parts of a GaxiosError we read. Duck-typed on purpose: with duplicated gaxios copies in a dependency tree,
 * `instanceof GaxiosError` is false for errors thrown by another copy.
 */
interface GaxiosLike {
  message?: string;
  code?: string | number;
  name?: string;
  response?: { status: number; data?: unknown; headers?: { get(name: string): string | null } };
}

interface GoogleApiErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: { reason?: string; message?: string }[];
  };
}

interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

const RATE_LIMIT_REASONS = /^(rateLimitExceeded|userRateLimitExceeded|quotaExceeded|dailyLimitExceeded)$/;
const SETUP_PATH = 'Google Admin Console › Security › API controls › Domain-wide delegation';

function asGaxios(error: unknown): GaxiosLike {
  return typeof error === 'object' && error !== null ? error : { message: String(error) };
}

export function googleStatus(error: unknown): number | undefined {
  return asGaxios(error).response?.status;
}

function oauthBody(data: unknown): OAuthErrorBody | undefined {
  const body = data as Partial<OAuthErrorBody> | undefined;
  return typeof body?.error === 'string' ? (body as OAuthErrorBody) : undefined;
}

function apiBody(data: unknown): NonNullable<GoogleApiErrorBody['error']> | undefined {
  const body = data as GoogleApiErrorBody | undefined;
  return typeof body?.error === 'object' ? body.error : undefined;
}

/** A 401 from the Calendar API (not the token endpoint): the cached access token was rejected. */
export function isRejectedAccessToken(error: unknown): boolean {
  const response = asGaxios(error).response;
  return response?.status === 401 && apiBody(response.data) !== undefined;
}

function oauthError(status: number, body: OAuthErrorBody, ctx: GoogleErrorContext): ProviderError {
  const description = body.error_description ?? '';
  const said = `Google said: ${body.error}${description ? ` "${description}"` : ''}`;
  switch (body.error) {
    case 'unauthorized_client':
    case 'access_denied':
    case 'invalid_scope':
      return new ProviderError(
        'CLIENT_NOT_AUTHORIZED',
        `Service account client ID ${ctx.clientId} is not allowed to impersonate ${ctx.subject} with scope ${ctx.scope}. ` +
          `In ${SETUP_PATH}, add client ID ${ctx.clientId} with the OAuth scope ${ctx.scope} ` +
          `(changes can take a few minutes to apply). ${said}`,
        'google',
      );
    case 'invalid_grant':
      if (/email|user id/i.test(description)) {
        return new ProviderError(
          'USER_NOT_IN_DIRECTORY',
          `${ctx.subject} is not an active user of the Google Workspace directory. Check the member's email, and that ` +
            `the user exists and is not suspended in Google Admin Console › Directory › Users. ${said}`,
          'google',
        );
      }
      if (/iat|exp|timeframe|short-lived/i.test(description)) {
        return new ProviderError(
          'INVALID_KEY',
          `Google rejected the token request's validity window: check this server's clock (NTP). ${said}`,
          'google',
        );
      }
      return new ProviderError(
        'INVALID_KEY',
        `Google rejected the key of service account ${ctx.clientEmail} (client ID ${ctx.clientId}): it was deleted, ` +
          `replaced or disabled. Create a new JSON key in Google Cloud Console › IAM & Admin › Service Accounts › Keys ` +
          `and update the delegation credential. ${said}`,
        'google',
      );
    case 'invalid_client':
      return new ProviderError(
        'INVALID_KEY',
        `Google does not accept service account ${ctx.clientEmail} (client ID ${ctx.clientId}): it was deleted or ` +
          `disabled. ${said}`,
        'google',
      );
    default:
      return statusError(status, `Google token endpoint answered ${status} for ${ctx.subject}. ${said}`);
  }
}

function apiError(status: number, body: NonNullable<GoogleApiErrorBody['error']>, ctx: GoogleErrorContext) {
  const reason = body.errors?.[0]?.reason ?? body.status ?? 'unknown';
  const said = `Google said: ${status} ${reason} "${body.message ?? ''}"`;
  if (status === 403 && RATE_LIMIT_REASONS.test(reason)) {
    return new ProviderError(
      'RATE_LIMITED',
      `Google Calendar quota exceeded while ${ctx.operation} for ${ctx.subject}. ${said}`,
      'google',
    );
  }
  if (status === 403 && (reason === 'insufficientPermissions' || body.status === 'PERMISSION_DENIED')) {
    return new ProviderError(
      'PERMISSION_DENIED',
      `The token for ${ctx.subject} lacks the permission for ${ctx.operation}. In ${SETUP_PATH}, make sure client ID ` +
        `${ctx.clientId} is authorized for ${ctx.scope} (not only a read-only scope). ${said}`,
      'google',
    );
  }
  if (status === 401) {
    return new ProviderError(
      'PERMISSION_DENIED',
      `Google rejected a freshly issued access token for ${ctx.subject} while ${ctx.operation}. ${said}`,
      'google',
    );
  }
  if (status === 404 || status === 410) {
    return new ProviderError(
      'PERMISSION_DENIED',
      `Not found or not accessible for ${ctx.subject} while ${ctx.operation} (wrong calendar/event id, or no access to it). ${said}`,
      'google',
    );
  }
  return statusError(status, `Google Calendar refused ${ctx.operation} for ${ctx.subject}. ${said}`);
}

function statusError(status: number, message: string): ProviderError {
  if (status === 429) return new ProviderError('RATE_LIMITED', message, 'google');
  if (status >= 500 || status === 408) return new ProviderError('PROVIDER_UNAVAILABLE', message, 'google');
  return new ProviderError('PERMISSION_DENIED', message, 'google');
}

/** Maps anything google-auth-library / googleapis throws to a ProviderError. */
export function classifyGoogleError(raw: unknown, ctx: GoogleErrorContext): ProviderError {
  if (raw instanceof ProviderError) return raw;
  const error = asGaxios(raw);
  const response = error.response;
  if (response) {
    const oauth = oauthBody(response.data);
    const api = apiBody(response.data);
    const classified = oauth
      ? oauthError(response.status, oauth, ctx)
      : api
        ? apiError(response.status, api, ctx)
        : statusError(
            response.status,
            `Google answered ${response.status} while ${ctx.operation} for ${ctx.subject}.`,
          );
    if (classified.type !== 'RATE_LIMITED') return classified;
    const retryAfterMs = parseRetryAfter(response.headers?.get('retry-after'));
    return new ProviderError('RATE_LIMITED', classified.message, 'google', retryAfterMs);
  }
  const code = String(error.code ?? '');
  if (
    code.startsWith('ERR_OSSL') ||
    code.startsWith('ERR_CRYPTO') ||
    /PEM|DECODER routines|private key/i.test(error.message ?? '')
  ) {
    return new ProviderError(
      'INVALID_KEY',
      `The private key of service account ${ctx.clientEmail} (client ID ${ctx.clientId}) cannot sign: it is not a ` +
        `valid PEM RSA key. Upload the JSON key file exactly as downloaded from Google Cloud Console.`,
      'google',
    );
  }
  if (
    code === 'TimeoutError' ||
    error.name === 'TimeoutError' ||
    /timed? ?out|aborted/i.test(error.message ?? '')
  ) {
    return noInlineRetry(
      new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `Google did not answer within ${ctx.timeoutMs} ms while ${ctx.operation}.`,
        'google',
      ),
    );
  }
  return new ProviderError(
    'PROVIDER_UNAVAILABLE',
    `Could not reach Google while ${ctx.operation} for ${ctx.subject}: ${code ? `${code} ` : ''}${error.message ?? 'unknown error'}`,
    'google',
  );
}
