/** What a failed connection attempt tells: where it went, why it failed, and whether it was our timeout. */
export interface NetworkFailure {
  /** ` at https://oauth2.googleapis.com` (origin with its port when not the default), or '' when unknown. */
  at: string;
  /** The system error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …) or the message when there is none. */
  reason: string;
  timedOut: boolean;
}

const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  error?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

/** The error and its causes (fetch: TypeError "fetch failed" → cause {code: ECONNREFUSED}; gaxios: `.error`). */
function chain(error: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && seen.length < 6 && !seen.includes(current)) {
    const link = current as ErrorLike;
    seen.push(link);
    current = link.cause ?? link.error;
  }
  return seen;
}

/** The origin of `url` (scheme, host and port when not the default), or '' when unreadable. */
export function originOf(url: URL | string | undefined): string {
  if (!url) return '';
  try {
    return new URL(String(url)).origin;
  } catch {
    return '';
  }
}

/**
 * Describes a transport failure (no HTTP answer) for a message that names the host that could not be reached,
 * e.g. "Could not reach Google at https://oauth2.googleapis.com (ECONNREFUSED)". `url` is the request URL when the
 * caller knows it; otherwise the address in the socket error is used.
 */
export function networkFailure(error: unknown, url?: URL | string): NetworkFailure {
  const links = chain(error);
  const timedOut = links.some((l) => typeof l.name === 'string' && TIMEOUT_NAMES.has(l.name));
  const coded = links.find((l) => typeof l.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(l.code));
  let origin = originOf(url);
  if (!origin) {
    const socket = links.find((l) => typeof l.address === 'string' || typeof l.hostname === 'string');
    if (socket) {
      const host = String(socket.hostname ?? socket.address);
      origin = typeof socket.port === 'number' ? `${host}:${socket.port}` : host;
    }
  }
  const deepest = links.at(-1);
  const message = typeof deepest?.message === 'string' ? deepest.message : 'unknown error';
  return {
    at: origin ? ` at ${origin}` : '',
    reason: typeof coded?.code === 'string' ? coded.code : message,
    timedOut,
  };
}
