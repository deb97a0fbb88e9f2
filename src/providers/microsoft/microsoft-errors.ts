import { AuthError, ServerError } from '@azure/msal-node';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { ProviderError } from '../provider.errors';
import { noInlineRetry, parseRetryAfter } from '../provider-retry';

export interface MicrosoftErrorContext {
  operation: string;
  subject: string;
  tenantId: string;
  clientId: string;
  timeoutMs: number;
}

const PERMISSIONS_HINT =
  'In Microsoft Entra admin center › App registrations › API permissions, add the Microsoft Graph application ' +
  'permissions Calendars.ReadWrite and User.Read.All, then "Grant admin consent"';

/** "AADSTS700016: Application with identifier … " without MSAL's trace / correlation / timestamp tail. */
function aadDescription(error: AuthError): string {
  const text = error.errorMessage || error.message;
  const match = /AADSTS\d+:[^\r\n]*/.exec(text);
  return match ? match[0].trim() : text.split(' - Correlation ID')[0].trim();
}

function aadCode(error: AuthError): number | undefined {
  const errorNo = (error as ServerError).errorNo;
  if (errorNo !== undefined && errorNo !== '') return Number(errorNo);
  const match = /AADSTS(\d+)/.exec(error.errorMessage || error.message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Maps an MSAL failure of the client-credentials token request. `status` and `retryAfter` come from our network
 * module (ServerError does not expose headers). `localReplay`: MSAL threw without sending anything, i.e. it replayed
 * a throttled answer from its per-instance cache.
 */
export function classifyMsalError(
  raw: unknown,
  ctx: MicrosoftErrorContext,
  observed: { status?: number; retryAfter?: string; localReplay: boolean; blockedForMs?: number },
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
  const where = `app ${ctx.clientId} in tenant ${ctx.tenantId}`;
  if (raw instanceof ServerError && observed.localReplay) {
    return new ProviderError(
      'RATE_LIMITED',
      `Microsoft throttled token requests of ${where}; retry later. ${said}`,
      'office365',
      observed.blockedForMs,
    );
  }
  const status = observed.status ?? (raw as ServerError).status;
  if (status === 429) {
    return new ProviderError(
      'RATE_LIMITED',
      `Microsoft throttled token requests of ${where}. ${said}`,
      'office365',
      parseRetryAfter(observed.retryAfter),
    );
  }
  if (status !== undefined && status >= 500) {
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Microsoft Entra answered ${status} for ${where}. ${said}`,
      'office365',
    );
  }
  const code = aadCode(raw);
  switch (raw.errorCode) {
    case 'invalid_client':
      return new ProviderError(
        'INVALID_KEY',
        `The client secret of ${where} is wrong or expired. In Microsoft Entra admin center › App registrations › ` +
          `Certificates & secrets, create a new secret and store its Value (not its Secret ID). ${said}`,
        'office365',
      );
    case 'unauthorized_client':
      return new ProviderError(
        'TENANT_NOT_FOUND',
        `Application ${ctx.clientId} is not available in tenant ${ctx.tenantId}: check the client ID, and have a ` +
          `Global Administrator of the tenant grant admin consent (https://login.microsoftonline.com/` +
          `${ctx.tenantId}/adminconsent?client_id=${ctx.clientId}). ${said}`,
        'office365',
      );
    case 'invalid_request':
      if (code === 90002 || code === 900023 || code === 90072 || /tenant/i.test(said)) {
        return new ProviderError(
          'TENANT_NOT_FOUND',
          `Tenant ${ctx.tenantId} was not found: use the Directory (tenant) ID shown in Microsoft Entra admin center › ` +
            `Overview. ${said}`,
          'office365',
        );
      }
      break;
    case 'invalid_scope':
      return new ProviderError(
        'PERMISSION_DENIED',
        `Microsoft refused the Graph scope for ${where}. ${said}`,
        'office365',
      );
    case 'request_timeout':
      return noInlineRetry(
        new ProviderError(
          'PROVIDER_UNAVAILABLE',
          `Microsoft Entra did not answer within ${ctx.timeoutMs} ms.`,
          'office365',
        ),
      );
    case 'network_error':
    case 'token_parsing_error':
    case 'endpoints_resolution_error':
      return new ProviderError(
        'PROVIDER_UNAVAILABLE',
        `Could not reach Microsoft Entra for ${where}. ${said}`,
        'office365',
      );
    default:
      break;
  }
  return new ProviderError('INVALID_KEY', `Microsoft refused a token to ${where}. ${said}`, 'office365');
}

/** Graph 404 codes meaning "this user / mailbox does not exist". */
const NO_SUCH_USER = new Set([
  'ErrorInvalidUser',
  'MailboxNotEnabledForRESTAPI',
  'Request_ResourceNotFound',
  'ResourceNotFound',
]);

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
function transportCause(error: GraphError): { name: string; message: string } {
  const body = error.body as { name?: unknown; message?: unknown; cause?: { message?: unknown } } | undefined;
  const name = error.code ?? (typeof body?.name === 'string' ? body.name : 'Error');
  const detail = typeof body?.cause?.message === 'string' ? body.cause.message : undefined;
  const message = error.message || (typeof body?.message === 'string' ? body.message : '');
  return { name, message: detail ? `${message} (${detail})` : message };
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
  const status = raw.statusCode;
  const said = `Graph said: ${status} ${raw.code ?? ''} "${raw.message}"`;
  if (status === -1) {
    const cause = transportCause(raw);
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') {
      return noInlineRetry(
        new ProviderError(
          'PROVIDER_UNAVAILABLE',
          `Microsoft Graph did not answer within ${ctx.timeoutMs} ms while ${ctx.operation}.`,
          'office365',
        ),
      );
    }
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Could not reach Microsoft Graph while ${ctx.operation}: ${cause.name} ${cause.message}`,
      'office365',
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(raw.headers?.get('retry-after'));
    return new ProviderError(
      'RATE_LIMITED',
      `Microsoft Graph throttled ${ctx.operation} for ${ctx.subject}. ${said}`,
      'office365',
      retryAfterMs,
    );
  }
  if (status >= 500) {
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Microsoft Graph failed while ${ctx.operation}. ${said}`,
      'office365',
    );
  }
  if (status === 404 && NO_SUCH_USER.has(raw.code ?? '')) {
    return new ProviderError(
      'USER_NOT_IN_DIRECTORY',
      `${ctx.subject} is not a user with an Exchange Online mailbox in tenant ${ctx.tenantId}. ${said}`,
      'office365',
    );
  }
  if (status === 403 || status === 401) {
    return new ProviderError(
      'PERMISSION_DENIED',
      `App ${ctx.clientId} was denied access while ${ctx.operation} for ${ctx.subject} in tenant ${ctx.tenantId}. ` +
        `${PERMISSIONS_HINT} ` +
        `(and check Exchange application access policies). ${said}`,
      'office365',
    );
  }
  if (status === 404) {
    return new ProviderError(
      'PERMISSION_DENIED',
      `Not found or not accessible while ${ctx.operation} for ${ctx.subject}. ${said}`,
      'office365',
    );
  }
  return new ProviderError(
    'PERMISSION_DENIED',
    `Microsoft Graph refused ${ctx.operation} for ${ctx.subject}. ${said}`,
    'office365',
  );
}
