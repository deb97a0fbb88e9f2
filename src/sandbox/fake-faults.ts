import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeRequest, FakeResponse } from './fake-http';

/**
 * A fault for requests to a route (`google.freeBusy`), a family (`google.*`, `graph.*`) or everything (`*`).
 * With a `status` the route answers that error instead of working (body in the platform's real error format unless
 * `body` is given); without one it only adds `latencyMs`. `times` = how many requests it hits (default: all until
 * cleared).
 */
export interface FaultSpec {
  route: string;
  status?: number;
  /** Retry-After header value in seconds (or an HTTP date). */
  retryAfter?: number | string;
  latencyMs?: number;
  times?: number;
  /** Google API error reason (e.g. rateLimitExceeded, insufficientPermissions), OAuth `error` or Graph error code. */
  reason?: string;
  body?: unknown;
  /**
   * Run the real handler first, then answer with the fault anyway: the request took effect but its answer was
   * lost (what makes a retried create dangerous).
   */
  afterProcessing?: boolean;
  /**
   * Breaks the paging of a list answer (the real handler runs, its page is returned): `repeat` sends the cursor of
   * the page just served again (Google `nextPageToken`, Graph `@odata.nextLink`), so a client that follows it loops
   * on one page; `endless` sends a new cursor every time, so the list never ends.
   */
  paging?: 'repeat' | 'endless';
}

/** What a request gets from the fault that hit it. */
export interface TakenFault {
  latencyMs: number;
  response?: FakeResponse;
  afterProcessing: boolean;
  paging?: FaultSpec['paging'];
}

interface ActiveFault extends FaultSpec {
  hits: number;
}

const GOOGLE_API_DEFAULTS: Record<number, [reason: string, status: string, message: string]> = {
  400: ['badRequest', 'INVALID_ARGUMENT', 'Bad Request'],
  401: ['authError', 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['forbidden', 'PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['notFound', 'NOT_FOUND', 'Not Found'],
  429: ['rateLimitExceeded', 'RESOURCE_EXHAUSTED', 'Rate Limit Exceeded'],
  500: ['backendError', 'INTERNAL', 'Backend Error'],
  503: ['backendError', 'UNAVAILABLE', 'The service is currently unavailable.'],
};

const OAUTH_DEFAULTS: Record<number, [error: string, aadsts: number, description: string]> = {
  400: ['invalid_request', 90002, 'Bad request.'],
  401: ['invalid_client', 7000215, 'Invalid client secret provided.'],
  403: ['access_denied', 50105, 'Access denied.'],
  429: [
    'temporarily_unavailable',
    50196,
    'The server is temporarily unavailable because of too many requests.',
  ],
  500: ['server_error', 90033, 'A transient error has occurred. Please try again.'],
  503: ['temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'],
};

const GRAPH_DEFAULTS: Record<number, [code: string, message: string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
  429: ['TooManyRequests', 'Too many requests, please try again later.'],
  500: ['UnknownError', 'An internal server error occurred.'],
  503: ['ServiceNotAvailable', 'The service is temporarily unavailable.'],
};

/** Graph codes (and shorthands) whose message says more than the status default. */
const GRAPH_REASONS: Record<string, [code: string, message: string]> = {
  ApplicationThrottled: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  MailboxConcurrency: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  ErrorAccessDenied: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  ApplicationAccessPolicy: ['ErrorAccessDenied', 'Access to OData is disabled.'],
  MailboxNotEnabledForRESTAPI: [
    'MailboxNotEnabledForRESTAPI',
    'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
  ],
  ErrorServerBusy: ['ErrorServerBusy', 'The server cannot service this request right now. Try again later.'],
};

function pick<T>(table: Record<number, T>, status: number): T {
  return table[status] ?? table[status >= 500 ? 500 : 400];
}

/** The error body the real service would send for `status` on this route. */
export function defaultFaultBody(routeId: string, status: number, reason?: string): unknown {
  if (routeId === 'google.token') {
    const error =
      reason ??
      (status === 401
        ? 'unauthorized_client'
        : status >= 500
          ? 'internal_failure'
          : status === 429
            ? 'rate_limit_exceeded'
            : 'invalid_grant');
    return { error, error_description: status >= 500 ? 'Backend Error' : `Injected ${status}` };
  }
  if (routeId.startsWith('google.')) {
    const [defaultReason, grpcStatus, message] = pick(GOOGLE_API_DEFAULTS, status);
    const why = reason ?? defaultReason;
    const domain = /rateLimit|quota/i.test(why) ? 'usageLimits' : 'global';
    return {
      error: { code: status, message, errors: [{ message, domain, reason: why }], status: grpcStatus },
    };
  }
  if (routeId === 'microsoft.token') {
    const [error, aadsts, description] = pick(OAUTH_DEFAULTS, status);
    const traceId = randomUUID();
    return {
      error: reason ?? error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: randomUUID(),
    };
  }
  const [defaultCode, defaultMessage] = pick(GRAPH_DEFAULTS, status);
  const [code, message] = reason
    ? (GRAPH_REASONS[reason] ?? [reason, defaultMessage])
    : [defaultCode, defaultMessage];
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
    },
  };
}

function matches(pattern: string, routeId: string): boolean {
  if (pattern === '*' || pattern === routeId) return true;
  return pattern.endsWith('.*') && routeId.startsWith(pattern.slice(0, -1));
}

/** Faults waiting to hit requests, and the log of calls per route (count + timestamps) tests assert on. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private readonly calls = new Map<string, number[]>();

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, hits: 0 });
  }

  list(): FaultSpec[] {
    return this.faults.map(({ hits, ...spec }) => ({
      ...spec,
      ...(spec.times !== undefined ? { times: spec.times - hits } : {}),
    }));
  }

  clear(): void {
    this.faults = [];
  }

  record(routeId: string): void {
    const times = this.calls.get(routeId) ?? [];
    times.push(Date.now());
    this.calls.set(routeId, times);
  }

  callCount(routeId?: string): number {
    if (routeId !== undefined) return this.calls.get(routeId)?.length ?? 0;
    return [...this.calls.values()].reduce((sum, t) => sum + t.length, 0);
  }

  callTimes(routeId: string): number[] {
    return [...(this.calls.get(routeId) ?? [])];
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.calls].map(([id, times]) => [id, times.length]));
  }

  resetCounters(): void {
    this.calls.clear();
  }

  /** Consumes the first matching fault: its latency, and the error response if it has a status. */
  take(routeId: string): TakenFault | undefined {
    const fault = this.faults.find(
      (f) => matches(f.route, routeId) && (f.times === undefined || f.hits < f.times),
    );
    if (!fault) return undefined;
    fault.hits++;
    const afterProcessing = fault.afterProcessing ?? false;
    if (fault.status === undefined) {
      return {
        latencyMs: fault.latencyMs ?? 0,
        afterProcessing,
        ...(fault.paging ? { paging: fault.paging } : {}),
      };
    }
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    const body = fault.body ?? defaultFaultBody(routeId, fault.status, fault.reason);
    return {
      latencyMs: fault.latencyMs ?? 0,
      response: { status: fault.status, headers, body },
      afterProcessing,
    };
  }
}

/** Rewrites the paging cursor of a successful list answer as a `paging` fault asks (see FaultSpec.paging). */
export function applyPagingFault(
  kind: NonNullable<FaultSpec['paging']>,
  req: FakeRequest,
  response: FakeResponse,
): FakeResponse {
  const body = response.body as Record<string, unknown> | undefined;
  if (response.status !== 200 || typeof body !== 'object' || body === null) return response;
  const fresh = randomBytes(6).toString('hex');
  if (Array.isArray(body.items)) {
    const token = kind === 'repeat' ? (req.query.get('pageToken') ?? `loop-${fresh}`) : `endless-${fresh}`;
    return { ...response, body: { ...body, nextPageToken: token } };
  }
  if (Array.isArray(body.value)) {
    const query = new URLSearchParams(req.query);
    if (kind === 'endless') query.set('$skiptoken', fresh);
    return {
      ...response,
      body: { ...body, '@odata.nextLink': `${req.origin}${req.path}?${query.toString()}` },
    };
  }
  return response;
}
