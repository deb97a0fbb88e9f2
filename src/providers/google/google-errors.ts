import {
  isRequestRefusal,
  ProviderError,
  type ProviderErrorScope,
  type ProviderErrorType,
} from '../provider.errors';
import { noInlineRetry, parseRetryAfter } from '../provider-retry';
import { networkFailure } from '../network-errors';

/** What a failed call was about, for messages an admin can act on. Never holds key material. */
export interface GoogleErrorContext {
  operation: string;
  subject: string;
  clientId: string;
  clientEmail: string;
  scope: string;
  timeoutMs: number;
  /** The calendar (or the calendar of the event) the operation targets; unset for mailbox-wide operations. */
  calendarId?: string;
  /** The event an operation reads or changes (get, patch); unset for inserts and calendar-wide operations. */
  eventId?: string;
}

/**
 * The parts of a GaxiosError we read. Duck-typed on purpose: with duplicated gaxios copies in a dependency tree,
 * `instanceof GaxiosError` is false for errors thrown by another copy.
 */
interface GaxiosLike {
  message?: string;
  code?: string | number;
  name?: string;
  config?: { url?: URL | string };
  error?: unknown;
  cause?: unknown;
  response?: { status: number; data?: unknown; headers?: { get(name: string): string | null } };
}

interface GoogleApiError {
  code?: number;
  message?: string;
  status?: string;
  errors?: { reason?: string; message?: string; domain?: string }[];
  details?: { '@type'?: string; reason?: string; metadata?: Record<string, string> }[];
}

interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

const DWD_PATH =
  'Google Admin console › Security › Access and data control › API controls › Domain-wide delegation';
const KEYS_PATH = 'Google Cloud console › IAM & Admin › Service Accounts';

/** What a rule's message is built from. */
interface Facts {
  ctx: GoogleErrorContext;
  status: number;
  /** `Google said: …` — the provider's own words, for support. */
  said: string;
  /** OAuth `error` (token endpoint) or API `reason`. */
  code: string;
  description: string;
  api?: GoogleApiError;
}

/**
 * One row of a classification table: when it applies, and what it means. The first matching row wins, so specific
 * rows (by OAuth error + description, or by API reason) come before the fallbacks by status.
 */
interface Rule {
  /** OAuth `error` / API `reason` values (exact), or a pattern. */
  code?: readonly string[] | RegExp;
  /** Pattern on the description (OAuth `error_description`, API `message`). */
  description?: RegExp;
  status?: (status: number) => boolean;
  /**
   * Only for operations that target one calendar or event (`calendarId` set), only for mailbox-wide ones, or only
   * for operations on one existing event (`eventId` set).
   */
  target?: 'calendar' | 'mailbox' | 'event';
  type: ProviderErrorType;
  /** Narrows the type's default scope (see ProviderErrorScope). */
  scope?: ProviderErrorScope;
  /** A transient error that an immediate retry cannot fix (e.g. a wrong clock). */
  final?: boolean;
  message(f: Facts): string;
}

const is =
  (...values: number[]) =>
  (status: number): boolean =>
    values.includes(status);
const serverError = (status: number): boolean => status >= 500 || status === 408;

/** Where to authorize the client ID, by number and scope (Google's DWD list only accepts the numeric ID). */
const authorizeStep = (ctx: GoogleErrorContext): string =>
  `In ${DWD_PATH}, add the numeric client ID ${ctx.clientId} (not the service account email) with the OAuth ` +
  `scope ${ctx.scope}; changes can take a few minutes to apply.`;

/**
 * Refusals of https://oauth2.googleapis.com/token for the JWT-bearer grant of a service account impersonating a
 * user (domain-wide delegation). Bodies as documented in Google's "Using OAuth 2.0 for Server to Server
 * Applications" (error codes) and as reported publicly; `error_description` decides where `error` is ambiguous.
 */
export const GOOGLE_TOKEN_RULES: readonly Rule[] = [
  {
    code: ['unauthorized_client'],
    type: 'CLIENT_NOT_AUTHORIZED',
    message: ({ ctx, said }) =>
      `Service account client ID ${ctx.clientId} is not allowed to impersonate ${ctx.subject} with scope ` +
      `${ctx.scope}: domain-wide delegation is not authorized (or no longer) for it. ${authorizeStep(ctx)} ${said}`,
  },
  {
    code: ['access_denied'],
    type: 'CLIENT_NOT_AUTHORIZED',
    message: ({ ctx, said }) =>
      `The domain-wide delegation entry of client ID ${ctx.clientId} does not cover every requested scope. ` +
      `${authorizeStep(ctx)} ${said}`,
  },
  {
    code: ['admin_policy_enforced'],
    type: 'CLIENT_NOT_AUTHORIZED',
    // App access control can be set per organizational unit: it says nothing about the other members.
    scope: 'member',
    message: ({ ctx, said }) =>
      `A Google Workspace API access policy blocks client ID ${ctx.clientId} for ${ctx.subject}. In Google Admin ` +
      `console › Security › Access and data control › API controls › App access control, mark the app as trusted ` +
      `(or allow Google Calendar) for the user's organizational unit. ${said}`,
  },
  {
    code: ['org_internal'],
    type: 'CLIENT_NOT_AUTHORIZED',
    scope: 'member',
    message: ({ ctx, said }) =>
      `The Google Cloud project of client ID ${ctx.clientId} only serves users of its own Cloud organization, and ` +
      `${ctx.subject} is not one of them. ${said}`,
  },
  {
    code: ['invalid_grant'],
    description: /Invalid JWT Signature|No valid verifier found/i,
    type: 'KEY_REVOKED',
    message: ({ ctx, said }) =>
      `Google no longer accepts the key of service account ${ctx.clientEmail} (client ID ${ctx.clientId}): it was ` +
      `deleted, disabled or has expired in Google Cloud, or it belongs to another service account. In ${KEYS_PATH} › ` +
      `${ctx.clientEmail} › Keys, create a new JSON key and update the delegation credential with it (PATCH ` +
      `serviceAccountKey). ${said}`,
  },
  {
    code: ['invalid_grant'],
    description: /email or user id/i,
    type: 'USER_NOT_IN_DIRECTORY',
    message: ({ ctx, said }) =>
      `${ctx.subject} is not an active user of the Google Workspace directory (unknown, renamed, deleted or ` +
      `suspended). Check the member's email in Google Admin console › Directory › Users. ${said}`,
  },
  {
    // The assertion's iat/exp were refused: this server's clock, not the key.
    code: ['invalid_grant'],
    description: /\biat\b|\bexp\b|short-lived|timeframe/i,
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    final: true,
    message: ({ said }) =>
      `Google refused the token request because this server's clock is off (the assertion's issue/expiry time is ` +
      `outside Google's window). Synchronise the clock (NTP); the key and delegation are not at fault. ${said}`,
  },
  {
    code: ['invalid_grant'],
    description: /audience/i,
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    final: true,
    message: ({ said }) =>
      `Google refused the token request's audience: the request did not reach Google's own token endpoint ` +
      `(check GOOGLE_API_BASE_URL and proxies). The key is not at fault. ${said}`,
  },
  {
    code: ['invalid_grant'],
    description: /account not found|missing a project number/i,
    type: 'INVALID_KEY',
    message: ({ ctx, said }) =>
      `Service account ${ctx.clientEmail} (client ID ${ctx.clientId}) no longer exists in Google Cloud (it or its ` +
      `project was deleted). Create a service account and a JSON key in ${KEYS_PATH}, authorize its client ID for ` +
      `domain-wide delegation, and update the delegation credential. ${said}`,
  },
  {
    code: ['invalid_request'],
    description: /\bsub\b|impersonat/i,
    type: 'USER_NOT_IN_DIRECTORY',
    message: ({ ctx, said }) =>
      `Google cannot impersonate ${ctx.subject}: it is not a valid user address. Check the member's email. ${said}`,
  },
  {
    code: ['disabled_client'],
    type: 'KEY_REVOKED',
    message: ({ ctx, said }) =>
      `The key or the service account ${ctx.clientEmail} (client ID ${ctx.clientId}) is disabled in Google Cloud. ` +
      `In ${KEYS_PATH}, enable the service account, or create a new JSON key and update the delegation credential. ` +
      `${said}`,
  },
  {
    code: ['invalid_client'],
    type: 'INVALID_KEY',
    message: ({ ctx, said }) =>
      `Google does not know the OAuth client of service account ${ctx.clientEmail} (client ID ${ctx.clientId}): the ` +
      `service account was deleted, or the key is not a service account key. Download a new JSON key from ` +
      `${KEYS_PATH} and update the delegation credential. ${said}`,
  },
  {
    code: ['invalid_scope'],
    type: 'PERMISSION_DENIED',
    message: ({ ctx, said }) =>
      `Google does not accept the OAuth scope ${ctx.scope} in a token request. ${said}`,
  },
  {
    status: is(429),
    type: 'RATE_LIMITED',
    message: ({ ctx, said }) => `Google throttled token requests for ${ctx.subject}. ${said}`,
  },
  {
    code: ['rate_limit_exceeded', 'temporarily_unavailable'],
    type: 'RATE_LIMITED',
    message: ({ ctx, said }) => `Google throttled token requests for ${ctx.subject}. ${said}`,
  },
  {
    status: serverError,
    type: 'PROVIDER_UNAVAILABLE',
    message: ({ status, said }) => `Google's token endpoint failed (${status}). ${said}`,
  },
  {
    // Anything else: say what Google said, without guessing a fix (never "the key is bad").
    type: 'PERMISSION_DENIED',
    message: ({ ctx, status, said }) =>
      `Google's token endpoint refused a token for ${ctx.subject} (${status}). Check the service account, its key ` +
      `and its domain-wide delegation entry (client ID ${ctx.clientId}). ${said}`,
  },
];

const ENABLE_URL = (project: string): string =>
  `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${project}`;

/** The Cloud project number an accessNotConfigured / SERVICE_DISABLED error names (message or ErrorInfo). */
export function disabledApiProject(api: GoogleApiError | undefined): string | undefined {
  const consumer = api?.details?.find((d) => d.reason === 'SERVICE_DISABLED')?.metadata?.consumer;
  const fromDetails = consumer ? /projects\/([\w-]+)/.exec(consumer)?.[1] : undefined;
  return fromDetails ?? /project[= ]([\w-]+)/.exec(api?.message ?? '')?.[1];
}

/**
 * Google Calendar API v3 refusals, by `errors[0].reason` (or the google.rpc ErrorInfo reason). Reasons from
 * Google's "Calendar API: Handle API errors" and "Usage limits" guides; Calendar signals quota with 403 as well as
 * 429, so a 403 is classified by its reason, never by its status alone.
 */
export const GOOGLE_API_RULES: readonly Rule[] = [
  {
    code: ['accessNotConfigured', 'SERVICE_DISABLED'],
    type: 'CALENDAR_API_DISABLED',
    message: ({ ctx, api, said }) => {
      const project = disabledApiProject(api);
      const where = project ? `Google Cloud project ${project}` : 'the Google Cloud project';
      return (
        `The Google Calendar API is disabled in ${where}, the project of service account ${ctx.clientEmail}. Enable ` +
        `it in Google Cloud console › APIs & Services › Library › Google Calendar API › Enable` +
        `${project ? ` (${ENABLE_URL(project)})` : ''}, then wait a few minutes. The key and the domain-wide ` +
        `delegation are fine. ${said}`
      );
    },
  },
  {
    code: /^(rateLimitExceeded|userRateLimitExceeded|quotaExceeded|dailyLimitExceeded|RATE_LIMIT_EXCEEDED|RESOURCE_EXHAUSTED)$/,
    type: 'RATE_LIMITED',
    message: ({ ctx, said }) =>
      `Google Calendar usage limits were reached while ${ctx.operation} for ${ctx.subject}; retry later. ${said}`,
  },
  {
    // The reasons of a per-calendar error inside a 200 free/busy answer (`calendars[id].errors`); HTTP 5xx answers
    // are the server-error row below.
    code: ['backendError', 'internalError', 'serviceUnavailable'],
    status: is(200),
    type: 'PROVIDER_UNAVAILABLE',
    message: ({ ctx, code, said }) =>
      `Google Calendar had an internal error (${code}) while ${ctx.operation} for ${ctx.subject}` +
      `${ctx.calendarId ? ` (calendar ${ctx.calendarId})` : ''}; retry later. ${said}`,
  },
  {
    // Per-calendar free/busy reasons about the calendar asked for: a group whose members cannot all be expanded.
    code: ['groupTooBig', 'tooManyCalendarsRequestedForGroup'],
    status: is(200),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    message: ({ ctx, code, said }) =>
      `Google cannot read free/busy of ${ctx.calendarId ?? 'the calendar'} for ${ctx.subject}: it is a group ` +
      `with too many members to expand (${code}). Ask for the members' calendars instead. ${said}`,
  },
  {
    code: ['notFound'],
    status: is(200),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    message: ({ ctx, said }) =>
      `${ctx.calendarId ? `Calendar ${ctx.calendarId}` : 'The calendar'} (or the event) does not exist or is not ` +
      `shared with ${ctx.subject} (${ctx.operation}). ${said}`,
  },
  {
    code: ['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT'],
    type: 'PERMISSION_DENIED',
    message: ({ ctx, said }) =>
      `The token for ${ctx.subject} lacks the scope needed for ${ctx.operation}: the domain-wide delegation entry ` +
      `of client ID ${ctx.clientId} grants a narrower scope. In ${DWD_PATH}, set the scope to ${ctx.scope} ` +
      `(not only a read-only scope). ${said}`,
  },
  {
    code: ['requiredAccessLevel', 'forbiddenForNonOrganizer', 'writerAccessRequired'],
    type: 'CALENDAR_NOT_ACCESSIBLE',
    message: ({ ctx, said }) =>
      `${ctx.subject} may not change calendar ${ctx.calendarId ?? '(unknown)'} (shared read-only, or an event ` +
      `organized by someone else). Choose a calendar the member owns or can edit. ${said}`,
  },
  {
    // The member deleted the event in their calendar: Google answers 410 `deleted` while it is in the trash and 404
    // once purged. About that event only (EVENT_GONE never marks the member or the credential failing).
    status: is(404, 410),
    target: 'event',
    type: 'EVENT_GONE',
    message: ({ ctx, said }) =>
      `Event ${ctx.eventId ?? ''} no longer exists in calendar ${ctx.calendarId ?? ctx.subject} of ${ctx.subject}: ` +
      `it was deleted there (or the calendar is no longer shared with the member). ${said}`,
  },
  {
    status: is(404, 410),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    message: ({ ctx, said }) =>
      `${ctx.calendarId ? `Calendar ${ctx.calendarId}` : 'The calendar'} (or the event) does not exist or is not ` +
      `shared with ${ctx.subject} (${ctx.operation}). ${said}`,
  },
  {
    // The token was minted a moment ago and retried once with a fresh one (see the provider): Google's problem.
    status: is(401),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    final: true,
    message: ({ ctx, said }) =>
      `Google rejected an access token it had just issued for ${ctx.subject} while ${ctx.operation}. ${said}`,
  },
  {
    status: is(429),
    type: 'RATE_LIMITED',
    message: ({ ctx, said }) => `Google Calendar throttled ${ctx.operation} for ${ctx.subject}. ${said}`,
  },
  {
    status: (s) => serverError(s) || s === 409 || s === 412,
    type: 'PROVIDER_UNAVAILABLE',
    message: ({ ctx, status, said }) => `Google Calendar failed (${status}) while ${ctx.operation}. ${said}`,
  },
  {
    // Any other 4xx without a known reason (400 badRequest / invalid / timeRangeEmpty, 413, 422…) refuses what the
    // request asked for (a time range, a field value), not the credential's or the member's access.
    status: isRequestRefusal,
    type: 'REQUEST_REJECTED',
    message: ({ ctx, status, said }) =>
      `Google Calendar rejected the request while ${ctx.operation} for ${ctx.subject} (${status}): it does not ` +
      `accept what was asked (a time range, a field value). The credential and the member's access are not at ` +
      `fault. ${said}`,
  },
  {
    target: 'calendar',
    type: 'CALENDAR_NOT_ACCESSIBLE',
    message: ({ ctx, said }) =>
      `Google refused ${ctx.operation} on calendar ${ctx.calendarId ?? ''} for ${ctx.subject}. ${said}`,
  },
  {
    // A refusal without a known reason: quote Google rather than suggest a fix that may be wrong.
    type: 'PERMISSION_DENIED',
    message: ({ ctx, status, said }) =>
      `Google Calendar refused ${ctx.operation} for ${ctx.subject} (${status}). ${said}`,
  },
];

function matches(rule: Rule, facts: Facts): boolean {
  if (rule.code) {
    const ok = Array.isArray(rule.code)
      ? rule.code.includes(facts.code)
      : (rule.code as RegExp).test(facts.code);
    if (!ok) return false;
  }
  if (rule.description && !rule.description.test(facts.description)) return false;
  if (rule.status && !rule.status(facts.status)) return false;
  if (rule.target === 'calendar' && !facts.ctx.calendarId) return false;
  if (rule.target === 'mailbox' && facts.ctx.calendarId) return false;
  if (rule.target === 'event' && !facts.ctx.eventId) return false;
  return true;
}

/** Applies the first matching rule of `rules` (the last row of each table matches everything). */
function apply(rules: readonly Rule[], facts: Facts, retryAfterMs?: number): ProviderError {
  const rule = rules.find((r) => matches(r, facts)) ?? rules[rules.length - 1];
  const error = new ProviderError(
    rule.type,
    rule.message(facts).trim(),
    'google',
    rule.type === 'RATE_LIMITED' || rule.type === 'PROVIDER_UNAVAILABLE' ? retryAfterMs : undefined,
    rule.scope,
  );
  return rule.final ? noInlineRetry(error) : error;
}

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

function apiBody(data: unknown): GoogleApiError | undefined {
  const body = data as { error?: unknown } | undefined;
  return typeof body?.error === 'object' && body.error !== null ? body.error : undefined;
}

/** A 401 from the Calendar API (not the token endpoint): the cached access token was rejected. */
export function isRejectedAccessToken(error: unknown): boolean {
  const response = asGaxios(error).response;
  return response?.status === 401 && apiBody(response.data) !== undefined;
}

/** The reason of a Calendar API error: `errors[0].reason`, else the google.rpc ErrorInfo reason, else `status`. */
export function apiReason(api: GoogleApiError): string {
  const info = api.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'))?.reason;
  return api.errors?.[0]?.reason ?? info ?? api.status ?? 'unknown';
}

/** Classifies a Google answer (token endpoint or Calendar API) from its status and body. */
export function classifyGoogleResponse(
  status: number,
  data: unknown,
  ctx: GoogleErrorContext,
  retryAfterMs?: number,
): ProviderError {
  const oauth = oauthBody(data);
  if (oauth) {
    const description = oauth.error_description ?? '';
    const said = `Google said: ${status} ${oauth.error}${description ? ` "${description}"` : ''}`;
    return apply(GOOGLE_TOKEN_RULES, { ctx, status, said, code: oauth.error, description }, retryAfterMs);
  }
  const api = apiBody(data) ?? {};
  const code = apiReason(api);
  const description = api.message ?? '';
  const said = `Google said: ${status} ${code}${description ? ` "${description}"` : ''}`;
  return apply(GOOGLE_API_RULES, { ctx, status, said, code, description, api }, retryAfterMs);
}

/**
 * A calendar that free/busy could not read comes back inside the 200 (`calendars[id].errors: [{domain, reason}]`).
 * Fail closed — an error, never "free" — classified by its reason through the same table as any Calendar API
 * refusal: `internalError` / `backendError` are PROVIDER_UNAVAILABLE (retried, then 502), quota reasons
 * RATE_LIMITED, `notFound` and `groupTooBig` CALENDAR_NOT_ACCESSIBLE. The calendar is always the target, so an
 * unknown reason is about that calendar (CALENDAR_NOT_ACCESSIBLE), never a permission problem of the credential.
 */
export function freeBusyCalendarError(
  calendarId: string,
  failure: { reason?: string | null; domain?: string | null },
  ctx: GoogleErrorContext,
): ProviderError {
  const code = failure.reason || 'unknown';
  const said = `Google said: free/busy of ${calendarId}: ${failure.domain ? `${failure.domain}/` : ''}${code}`;
  return apply(GOOGLE_API_RULES, {
    ctx: { ...ctx, calendarId },
    status: 200,
    said,
    code,
    description: '',
  });
}

/** Maps anything google-auth-library / googleapis throws to a ProviderError. */
export function classifyGoogleError(raw: unknown, ctx: GoogleErrorContext): ProviderError {
  if (raw instanceof ProviderError) return raw;
  const error = asGaxios(raw);
  const response = error.response;
  if (response) {
    return classifyGoogleResponse(
      response.status,
      response.data,
      ctx,
      parseRetryAfter(response.headers?.get('retry-after')),
    );
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
        `valid PEM RSA key. Upload the JSON key file exactly as downloaded from Google Cloud console.`,
      'google',
    );
  }
  const network = networkFailure(raw, error.config?.url);
  if (network.timedOut) {
    return noInlineRetry(
      new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `Google${network.at} did not answer within ${ctx.timeoutMs} ms while ${ctx.operation}.`,
        'google',
      ),
    );
  }
  return new ProviderError(
    'PROVIDER_UNAVAILABLE',
    `Could not reach Google${network.at} (${network.reason}) while ${ctx.operation} for ${ctx.subject}.`,
    'google',
  );
}
