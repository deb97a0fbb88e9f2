import { AuthError, ServerError } from '@azure/msal-node';
import { GraphError } from '@microsoft/microsoft-graph-client';
import {
  isRequestRefusal,
  ProviderError,
  type ProviderErrorScope,
  type ProviderErrorType,
} from '../provider.errors';
import { noInlineRetry, parseRetryAfter } from '../provider-retry';
import { type NetworkFailure, networkFailure } from '../network-errors';

export interface MicrosoftErrorContext {
  operation: string;
  subject: string;
  tenantId: string;
  clientId: string;
  timeoutMs: number;
  /** The calendar the operation targets when it is not the mailbox's default one (events, calendarView). */
  calendarId?: string;
  /** The existing event an operation reads or changes (get, PATCH). */
  eventId?: string;
  /** Graph origin the request went to (for network failures). */
  graphOrigin?: string;
  /** The stored client secret has the shape of a secret ID (a GUID), not of a secret value. Never the value. */
  secretLooksLikeId?: boolean;
}

const APP_PATH = 'Microsoft Entra admin center › App registrations';
const PERMISSIONS_STEP =
  `In ${APP_PATH} › API permissions, add the Microsoft Graph application permissions Calendars.ReadWrite and ` +
  'User.Read.All, then "Grant admin consent"';
const consentUrl = (ctx: MicrosoftErrorContext): string =>
  `https://login.microsoftonline.com/${ctx.tenantId}/adminconsent?client_id=${ctx.clientId}`;

/** What a rule's message is built from. */
interface Facts {
  ctx: MicrosoftErrorContext;
  status: number;
  /** `Microsoft said: …` — the provider's own words, for support. */
  said: string;
  /** MSAL errorCode (OAuth `error`) or Graph `error.code`. */
  code: string;
  /** AADSTS number of a token refusal. */
  aadsts?: number;
  message: string;
}

/** One row of a table: the first matching row wins (specific rows first, fallbacks by status last). */
interface Rule {
  aadsts?: readonly number[];
  code?: readonly string[];
  message?: RegExp;
  status?: (status: number) => boolean;
  /**
   * Only when the operation targets one (non-default) calendar or event, only mailbox-wide operations, or only
   * operations on one existing event (`eventId` set).
   */
  target?: 'calendar' | 'mailbox' | 'event';
  type: ProviderErrorType;
  scope?: ProviderErrorScope;
  final?: boolean;
  text(f: Facts): string;
}

const where = (ctx: MicrosoftErrorContext): string => `app ${ctx.clientId} in tenant ${ctx.tenantId}`;

/**
 * Refusals of the Entra token endpoint (`/{tenant}/oauth2/v2.0/token`, client_credentials), by AADSTS code (Microsoft
 * Entra authentication and authorization error codes) and OAuth `error`.
 */
export const ENTRA_TOKEN_RULES: readonly Rule[] = [
  {
    aadsts: [7000215, 7000216, 7000218],
    type: 'INVALID_CLIENT_SECRET',
    text: ({ ctx, said }) =>
      `The client secret of ${where(ctx)} is not valid. In ${APP_PATH} › ${ctx.clientId} › Certificates & secrets, ` +
      `copy the secret's Value — not its Secret ID — into private_key (a value is shown only once, right after ` +
      `creating the secret: create a new one if it is gone).` +
      (ctx.secretLooksLikeId
        ? ' The stored secret has the shape of a Secret ID (a GUID), not of a secret value.'
        : '') +
      ` ${said}`,
  },
  {
    aadsts: [7000222],
    type: 'CLIENT_SECRET_EXPIRED',
    text: ({ ctx, said }) =>
      `The client secret of ${where(ctx)} has expired. In ${APP_PATH} › ${ctx.clientId} › Certificates & secrets › ` +
      `New client secret, create one and update the delegation credential with its Value (PATCH ` +
      `serviceAccountKey). ${said}`,
  },
  {
    aadsts: [700016],
    type: 'APP_NOT_IN_TENANT',
    text: ({ ctx, said }) =>
      `No application with client ID ${ctx.clientId} exists in tenant ${ctx.tenantId}: the app registration or its ` +
      `enterprise application was deleted, the client ID is wrong, or the app belongs to another tenant and was ` +
      `never consented here. Check the Application (client) ID, or have an administrator of the tenant grant admin ` +
      `consent at ${consentUrl(ctx)}. ${said}`,
  },
  {
    aadsts: [7000112],
    type: 'APP_NOT_IN_TENANT',
    text: ({ ctx, said }) =>
      `Application ${ctx.clientId} is disabled in tenant ${ctx.tenantId}. In Microsoft Entra admin center › ` +
      `Enterprise applications › the app › Properties, set "Enabled for users to sign-in?" to Yes. ${said}`,
  },
  {
    aadsts: [90002, 900023, 90019, 900022, 90013],
    type: 'TENANT_NOT_FOUND',
    text: ({ ctx, said }) =>
      `Tenant ${ctx.tenantId} was not found. Use the Directory (tenant) ID shown in Microsoft Entra admin center › ` +
      `Overview (a GUID), or the tenant's verified domain. ${said}`,
  },
  {
    aadsts: [65001, 500011, 50001, 650052, 650051],
    type: 'CONSENT_MISSING',
    text: ({ ctx, said }) =>
      `Admin consent for ${where(ctx)} is missing or was revoked. ${PERMISSIONS_STEP}, or open ${consentUrl(ctx)} ` +
      `as an administrator. ${said}`,
  },
  {
    aadsts: [53003, 53000, 53001],
    type: 'PERMISSION_DENIED',
    text: ({ ctx, said }) =>
      `A Conditional Access policy for workload identities blocks ${where(ctx)}. Exclude the app in Microsoft Entra ` +
      `admin center › Protection › Conditional Access. ${said}`,
  },
  {
    aadsts: [50196, 50053],
    type: 'RATE_LIMITED',
    text: ({ ctx, said }) => `Microsoft throttled token requests of ${where(ctx)}. ${said}`,
  },
  {
    aadsts: [90033, 90015, 90024],
    type: 'PROVIDER_UNAVAILABLE',
    text: ({ ctx, said }) =>
      `Microsoft Entra had a transient failure issuing a token to ${where(ctx)}. ${said}`,
  },
  {
    status: (s) => s === 429,
    type: 'RATE_LIMITED',
    text: ({ ctx, said }) => `Microsoft throttled token requests of ${where(ctx)}. ${said}`,
  },
  {
    status: (s) => s >= 500,
    type: 'PROVIDER_UNAVAILABLE',
    text: ({ ctx, status, said }) => `Microsoft Entra answered ${status} for ${where(ctx)}. ${said}`,
  },
  {
    code: ['invalid_client'],
    type: 'INVALID_CLIENT_SECRET',
    text: ({ ctx, said }) =>
      `Microsoft Entra did not accept the client credentials of ${where(ctx)}. In ${APP_PATH} › Certificates & ` +
      `secrets, create a new secret and store its Value (not its Secret ID). ${said}`,
  },
  {
    code: ['unauthorized_client'],
    type: 'APP_NOT_IN_TENANT',
    text: ({ ctx, said }) =>
      `Application ${ctx.clientId} cannot get tokens in tenant ${ctx.tenantId}: check the client ID, and have an ` +
      `administrator grant admin consent (${consentUrl(ctx)}). ${said}`,
  },
  {
    code: ['invalid_request'],
    message: /tenant/i,
    type: 'TENANT_NOT_FOUND',
    text: ({ ctx, said }) =>
      `Tenant ${ctx.tenantId} was not found: use the Directory (tenant) ID (a GUID) or a verified domain. ${said}`,
  },
  {
    code: ['invalid_scope', 'invalid_resource'],
    type: 'CONSENT_MISSING',
    text: ({ ctx, said }) =>
      `Microsoft Graph is not available to ${where(ctx)}. ${PERMISSIONS_STEP}. ${said}`,
  },
  {
    type: 'PERMISSION_DENIED',
    text: ({ ctx, said }) => `Microsoft Entra refused a token to ${where(ctx)}. ${said}`,
  },
];

/**
 * Microsoft Graph refusals, by `error.code` (Graph's and Exchange Online's error codes) and, where one code has
 * several causes, its message: an Exchange application access policy answers 403 ErrorAccessDenied
 * "Access to OData is disabled." (Graph: "Limiting application permissions to specific Exchange Online
 * mailboxes"), a token without application permissions is refused with "Either scp or roles claim need to be
 * present in the token.".
 */
export const GRAPH_RULES: readonly Rule[] = [
  {
    status: (s) => s === 429,
    type: 'RATE_LIMITED',
    text: ({ ctx, said }) =>
      `Microsoft Graph throttled ${ctx.operation} for ${ctx.subject} (Exchange allows 4 concurrent requests per ` +
      `app and mailbox). ${said}`,
  },
  {
    message: /Either scp or roles claim/i,
    type: 'CONSENT_MISSING',
    text: ({ ctx, said }) =>
      `The token of ${where(ctx)} carries no application permissions: admin consent was never granted or was ` +
      `revoked. ${PERMISSIONS_STEP} (${consentUrl(ctx)}). ${said}`,
  },
  {
    code: ['ErrorAccessDenied'],
    message: /OData is disabled/i,
    type: 'ACCESS_POLICY_DENIED',
    text: ({ ctx, said }) =>
      `An Exchange Online application access policy denies app ${ctx.clientId} the mailbox of ${ctx.subject}. An ` +
      `Exchange administrator can check it with \`Test-ApplicationAccessPolicy -Identity ${ctx.subject} -AppId ` +
      `${ctx.clientId}\` and add the mailbox to the group the policy allows (Set-ApplicationAccessPolicy). ${said}`,
  },
  {
    code: ['MailboxNotEnabledForRESTAPI', 'MailboxNotSupportedForRESTAPI', 'ErrorNonExistentMailbox'],
    type: 'MAILBOX_NOT_ENABLED',
    text: ({ ctx, said }) =>
      `${ctx.subject} is in tenant ${ctx.tenantId} but has no Exchange Online mailbox (no Exchange license, ` +
      `inactive, soft-deleted or hosted on-premises). Assign a license with Exchange Online in Microsoft 365 admin ` +
      `center › Users. ${said}`,
  },
  {
    code: ['ErrorInvalidUser', 'Request_ResourceNotFound', 'ResourceNotFound', 'ErrorUserNotFound'],
    type: 'USER_NOT_IN_DIRECTORY',
    text: ({ ctx, said }) =>
      `${ctx.subject} is not a user of tenant ${ctx.tenantId}. Check the member's email in Microsoft Entra admin ` +
      `center › Users. ${said}`,
  },
  {
    code: ['Authorization_RequestDenied'],
    type: 'PERMISSION_DENIED',
    text: ({ ctx, said }) =>
      `${where(ctx)} may not read the directory (User.Read.All is missing). ${PERMISSIONS_STEP}. ${said}`,
  },
  {
    // The member deleted the event in Outlook: PATCH/GET /users/{id}/events/{eventId} answers 404
    // ErrorItemNotFound. About that event only (EVENT_GONE never marks the member or the credential failing).
    code: ['ErrorItemNotFound'],
    target: 'event',
    type: 'EVENT_GONE',
    text: ({ ctx, said }) =>
      `Event ${ctx.eventId ?? ''} no longer exists in the mailbox of ${ctx.subject}: it was deleted there. ${said}`,
  },
  {
    code: ['ErrorAccessDenied', 'AccessDenied', 'ErrorItemNotFound', 'ErrorInvalidIdMalformed'],
    target: 'calendar',
    type: 'CALENDAR_NOT_ACCESSIBLE',
    text: ({ ctx, said }) =>
      `Calendar ${ctx.calendarId ?? ''} (or the event) does not exist or is not accessible to ${ctx.subject} for ` +
      `${ctx.operation} (not shared, or shared read-only). ${said}`,
  },
  {
    code: ['ErrorItemNotFound'],
    type: 'CALENDAR_NOT_ACCESSIBLE',
    text: ({ ctx, said }) =>
      `The calendar or event does not exist in the mailbox of ${ctx.subject} (${ctx.operation}). ${said}`,
  },
  {
    code: ['ErrorAccessDenied', 'AccessDenied'],
    type: 'PERMISSION_DENIED',
    text: ({ ctx, said }) =>
      `${where(ctx)} was denied ${ctx.operation} for ${ctx.subject}: the application permission Calendars.ReadWrite ` +
      `is missing. ${PERMISSIONS_STEP}. ${said}`,
  },
  {
    // 409 ErrorIrresolvableConflict / 412 PreconditionFailed: a concurrent change of the item, as Google's 409/412.
    status: (s) => s >= 500 || s === 408 || s === 409 || s === 412,
    type: 'PROVIDER_UNAVAILABLE',
    text: ({ ctx, status, said }) => `Microsoft Graph failed (${status}) while ${ctx.operation}. ${said}`,
  },
  {
    // Any other 4xx without a known code (400 ErrorInvalidRequest "The range between the start and end dates is
    // greater than the allowed range", BadRequest, 413, 422…) refuses what the request asked for, not the access.
    status: isRequestRefusal,
    type: 'REQUEST_REJECTED',
    text: ({ ctx, status, said }) =>
      `Microsoft Graph rejected the request while ${ctx.operation} for ${ctx.subject} (${status}): it does not ` +
      `accept what was asked (a time range, a field value). The credential and the member's access are not at ` +
      `fault. ${said}`,
  },
  {
    status: (s) => s === 404,
    target: 'calendar',
    type: 'CALENDAR_NOT_ACCESSIBLE',
    text: ({ ctx, said }) =>
      `Microsoft Graph refused ${ctx.operation} on calendar ${ctx.calendarId ?? ''} for ${ctx.subject}. ${said}`,
  },
  {
    type: 'PERMISSION_DENIED',
    text: ({ ctx, said }) => `Microsoft Graph refused ${ctx.operation} for ${ctx.subject}. ${said}`,
  },
];

function matches(rule: Rule, facts: Facts): boolean {
  if (rule.aadsts && (facts.aadsts === undefined || !rule.aadsts.includes(facts.aadsts))) return false;
  if (rule.code && !rule.code.includes(facts.code)) return false;
  if (rule.message && !rule.message.test(facts.message)) return false;
  if (rule.status && !rule.status(facts.status)) return false;
  if (rule.target === 'calendar' && !facts.ctx.calendarId) return false;
  if (rule.target === 'mailbox' && facts.ctx.calendarId) return false;
  if (rule.target === 'event' && !facts.ctx.eventId) return false;
  return true;
}

function apply(rules: readonly Rule[], facts: Facts, retryAfterMs?: number): ProviderError {
  const rule = rules.find((r) => matches(r, facts)) ?? rules[rules.length - 1];
  const error = new ProviderError(
    rule.type,
    rule.text(facts).trim(),
    'office365',
    rule.type === 'RATE_LIMITED' || rule.type === 'PROVIDER_UNAVAILABLE' ? retryAfterMs : undefined,
    rule.scope,
  );
  return rule.final ? noInlineRetry(error) : error;
}

/** "AADSTS700016: Application with identifier … " without MSAL's trace / correlation / timestamp tail. */
function aadDescription(error: AuthError): string {
  const text = error.errorMessage || error.message;
  const match = /AADSTS\d+:[^\r\n]*?(?=\s+Trace ID:|$)/m.exec(text) ?? /AADSTS\d+:[^\r\n]*/.exec(text);
  return match ? match[0].trim() : text.split(' - Correlation ID')[0].trim();
}

function aadCode(error: AuthError): number | undefined {
  const errorNo = (error as ServerError).errorNo;
  if (errorNo !== undefined && errorNo !== '' && /^\d+$/.test(String(errorNo))) return Number(errorNo);
  const match = /AADSTS(\d+)/.exec(error.errorMessage || error.message);
  return match ? Number(match[1]) : undefined;
}

/** What our network module saw of the token request (MSAL's ServerError does not expose status or headers). */
export interface TokenObservation {
  status?: number;
  retryAfter?: string;
  /** MSAL threw without sending anything: it replayed a throttled answer from its per-instance cache. */
  localReplay: boolean;
  blockedForMs?: number;
  /** The transport failure of the last request, when it had no answer. */
  failure?: NetworkFailure;
}

/** Maps an MSAL failure of the client-credentials token request. */
export function classifyMsalError(
  raw: unknown,
  ctx: MicrosoftErrorContext,
  observed: TokenObservation,
): ProviderError {
  if (raw instanceof ProviderError) return raw;
  if (!(raw instanceof AuthError)) {
    const message = raw instanceof Error ? raw.message : String(raw);
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Unexpected error getting a Microsoft token: ${message}`,
      'office365',
    );
  }
  const said = `Microsoft said: ${raw.errorCode || 'error'} "${aadDescription(raw)}"`;
  if (raw instanceof ServerError && observed.localReplay) {
    return new ProviderError(
      'RATE_LIMITED',
      `Microsoft throttled token requests of ${where(ctx)}; retry later. ${said}`,
      'office365',
      observed.blockedForMs,
    );
  }
  switch (raw.errorCode) {
    case 'request_timeout':
      return noInlineRetry(
        new ProviderError(
          'PROVIDER_UNAVAILABLE',
          `Microsoft Entra${observed.failure?.at ?? ''} did not answer within ${ctx.timeoutMs} ms.`,
          'office365',
        ),
      );
    case 'network_error':
      return new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `Could not reach Microsoft Entra${observed.failure?.at ?? ''} (${observed.failure?.reason ?? raw.errorMessage}) ` +
          `for ${where(ctx)}.`,
        'office365',
      );
    case 'token_parsing_error':
    case 'endpoints_resolution_error':
      return new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `Microsoft Entra${observed.failure?.at ?? ''} gave no usable answer for ${where(ctx)}. ${said}`,
        'office365',
      );
    case 'missing_tenant_id_error':
    case 'invalid_authority':
    case 'url_parse_error':
    case 'authority_uri_insecure':
      return new ProviderError(
        'TENANT_NOT_FOUND',
        `"${ctx.tenantId}" cannot be used as the tenant: use the Directory (tenant) ID (a GUID) or a verified ` +
          `domain of the tenant. ${said}`,
        'office365',
      );
    default:
      break;
  }
  const status = observed.status ?? (raw as ServerError).status ?? 400;
  return apply(
    ENTRA_TOKEN_RULES,
    {
      ctx,
      status,
      said,
      code: raw.errorCode,
      aadsts: aadCode(raw),
      message: aadDescription(raw),
    },
    parseRetryAfter(observed.retryAfter),
  );
}

/** A 401 from Graph: the token was rejected (expired early, revoked). */
export function isRejectedGraphToken(error: unknown): boolean {
  return error instanceof GraphError && error.statusCode === 401;
}

export function graphStatus(error: unknown): number | undefined {
  return error instanceof GraphError ? error.statusCode : undefined;
}

/**
 * The transport failure behind a GraphError -1. The SDK copies name/message only from `instanceof Error` values;
 * fetch's DOMException / TypeError can come from another realm (e.g. under jest), and then sits raw in `body`.
 */
function transportCause(error: GraphError): unknown {
  return typeof error.body === 'object' && error.body !== null ? error.body : error;
}

/** Classifies a Graph answer from its status, code and message. */
export function classifyGraphResponse(
  status: number,
  code: string,
  message: string,
  ctx: MicrosoftErrorContext,
  retryAfterMs?: number,
): ProviderError {
  const said = `Graph said: ${status} ${code} "${message}"`;
  return apply(GRAPH_RULES, { ctx, status, said, code, message }, retryAfterMs);
}

export function classifyGraphError(raw: unknown, ctx: MicrosoftErrorContext): ProviderError {
  if (raw instanceof ProviderError) return raw;
  if (!(raw instanceof GraphError)) {
    const message = raw instanceof Error ? raw.message : String(raw);
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Unexpected error calling Microsoft Graph: ${message}`,
      'office365',
    );
  }
  if (raw.statusCode === -1) {
    const cause = transportCause(raw);
    const failure = networkFailure(cause, ctx.graphOrigin);
    const name = raw.code ?? (cause as { name?: string }).name;
    if (failure.timedOut || name === 'TimeoutError' || name === 'AbortError') {
      return noInlineRetry(
        new ProviderError(
          'PROVIDER_UNAVAILABLE',
          `Microsoft Graph${failure.at} did not answer within ${ctx.timeoutMs} ms while ${ctx.operation}.`,
          'office365',
        ),
      );
    }
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Could not reach Microsoft Graph${failure.at} (${failure.reason}) while ${ctx.operation}.`,
      'office365',
    );
  }
  return classifyGraphResponse(
    raw.statusCode,
    raw.code ?? '',
    raw.message,
    ctx,
    parseRetryAfter(raw.headers?.get('retry-after')),
  );
}
