import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { ForbiddenDestinationError, guardedLookup, literalHostCheck } from './subscriber-url';

/** Cal.com's signature header: hex HMAC-SHA256 of the exact body bytes, keyed with the webhook secret. */
export const SIGNATURE_HEADER = 'X-Cal-Signature-256';
/** Same for every attempt of one event to one webhook, so a receiver can drop duplicates of a retried delivery. */
export const EVENT_ID_HEADER = 'X-Cal-Webhook-Event-Id';

export function signBody(body: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Why an attempt failed; `retryable` decides between BullMQ's backoff and giving up (UnrecoverableError). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface DeliveryRequest {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: skip the SSRF checks (local development and tests only). */
  allowPrivate: boolean;
}

/**
 * The retry policy: 2xx is delivered; 408, 429 and 5xx are the receiver's temporary trouble and are retried;
 * any other 4xx (and a 3xx, since redirects are not followed) will not change by resending the same request, so
 * it is final.
 */
export function classifyStatus(status: number): DeliveryError | null {
  if (status >= 200 && status < 300) return null;
  const retryable = status === 408 || status === 429 || status >= 500;
  const what = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return new DeliveryError(`subscriber answered HTTP ${status}${what}`, retryable);
}

/**
 * One POST attempt. node:http(s) rather than fetch so the SSRF check runs in the socket's own DNS lookup (see
 * guardedLookup) — fetch offers no such hook without a dependency. A fresh connection per attempt (no pooled
 * socket skips the check); redirects are never followed; the timeout covers connect, TLS and the response head.
 * Resolves with the status on 2xx, otherwise throws a DeliveryError.
 */
export async function deliver(request: DeliveryRequest): Promise<number> {
  const url = new URL(request.url);
  if (!request.allowPrivate) {
    const literal = literalHostCheck(url);
    if (literal && !literal.ok) throw new DeliveryError(`subscriberUrl host ${literal.reason}`, false);
  }
  const transport = url.protocol === 'https:' ? https : http;
  const status = await new Promise<number>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...request.headers, 'Content-Length': String(request.body.length) },
        lookup: request.allowPrivate ? undefined : guardedLookup,
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        // Only the status matters; drain the body so the socket closes, without waiting for it.
        res.on('error', () => undefined);
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (error: Error) => reject(toDeliveryError(error, request.timeoutMs)));
    req.end(request.body);
  });
  const failure = classifyStatus(status);
  if (failure) throw failure;
  return status;
}

function toDeliveryError(error: Error, timeoutMs: number): DeliveryError {
  if (error instanceof ForbiddenDestinationError) return new DeliveryError(error.message, false);
  if (error.name === 'AbortError' || error.name === 'TimeoutError')
    return new DeliveryError(`no response within ${timeoutMs} ms`, true);
  const code = (error as NodeJS.ErrnoException).code;
  return new DeliveryError(`request failed: ${code ?? error.message}`, true);
}
