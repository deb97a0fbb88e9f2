import { createHash } from 'node:crypto';
import type { Request } from 'express';

export type CallerKind = 'api_key' | 'oauth_client' | 'ip';

export interface Tracker {
  /** Redis key part: the kind and a SHA-256 of the identifier (never the credential itself). */
  key: string;
  kind: CallerKind;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

/**
 * Who a request is counted against, as Cal.com's CustomThrottlerGuard: a platform OAuth client (`x-cal-client-id`,
 * when sent with `x-cal-secret-key`: those win, as in ApiAuthGuard), else an API key (`Authorization: Bearer
 * <prefix>…`, keyed by the same SHA-256 the key is stored under), else the client IP (`req.ip`: the socket address,
 * or X-Forwarded-For from proxies trusted by TRUST_PROXY). Cal.com's access-token bucket does not exist here:
 * any other bearer counts against the IP, so made-up credentials cannot open fresh buckets.
 */
export function trackerOf(req: Request, apiKeyPrefix: string): Tracker {
  const clientId = header(req, 'x-cal-client-id');
  if (clientId && header(req, 'x-cal-secret-key')) {
    return { key: `oauth_client_${sha256(clientId)}`, kind: 'oauth_client' };
  }
  const token = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  if (token?.startsWith(apiKeyPrefix)) {
    return { key: `api_key_${sha256(token.slice(apiKeyPrefix.length))}`, kind: 'api_key' };
  }
  return { key: `ip_${sha256(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`, kind: 'ip' };
}
