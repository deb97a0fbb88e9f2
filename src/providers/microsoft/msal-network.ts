import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { type NetworkFailure, networkFailure } from '../network-errors';

/** What the last token-endpoint exchange looked like; read by error classification and throttling. */
export interface TokenEndpointObservation {
  /** Requests sent since the counter was last reset (0 after a failure = MSAL replayed an error locally). */
  requests: number;
  status?: number;
  retryAfter?: string;
  /** Where the last request went and why it got no answer (no HTTP response at all). */
  failure?: NetworkFailure;
}

/**
 * MSAL's network module, replacing its default fetch client for two reasons:
 * - the default client has no timeout for POSTs (the token request), and we want every request bounded;
 * - it turns a non-JSON error page (a 502 from a proxy) into `token_parsing_error`, losing the status. Here such a
 *   body becomes a JSON OAuth error, so MSAL raises a ServerError and the status survives.
 * It also records status and Retry-After, which MSAL's ServerError does not expose.
 */
export class TimeoutNetworkClient implements INetworkModule {
  constructor(
    private readonly timeoutMs: number,
    private readonly observed: TokenEndpointObservation,
  ) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(
    url: string,
    method: 'GET' | 'POST',
    options: NetworkRequestOptions | undefined,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const limit = timeout ?? this.timeoutMs;
    this.observed.requests++;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        signal: AbortSignal.timeout(limit),
      });
    } catch (error) {
      const failure = networkFailure(error, url);
      this.observed.failure = failure;
      throw new AuthError(
        failure.timedOut ? 'request_timeout' : 'network_error',
        options?.correlationId ?? '',
        failure.timedOut
          ? `No answer from${failure.at} within ${limit} ms`
          : `Network request to${failure.at} failed: ${failure.reason}`,
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    this.observed.status = response.status;
    this.observed.retryAfter = headers['retry-after'];
    const text = await response.text();
    return { headers, body: parseBody(text, response.status) as T, status: response.status };
  }
}

function parseBody(text: string, status: number): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      if (status < 400 || 'error' in parsed) return parsed;
    }
  } catch {
    // Not JSON: fall through to a synthetic error below.
  }
  return status < 400
    ? {
        error: 'invalid_response',
        error_description: `Token endpoint answered ${status} with an unreadable body.`,
      }
    : { error: 'http_error', error_description: `Token endpoint answered HTTP ${status}.` };
}
