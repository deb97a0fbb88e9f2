import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A parsed request as the fake's handlers see it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Named groups of the route pattern, URI-decoded. */
  params: Record<string, string>;
  rawBody: string;
  /** Origin the client used (for absolute links such as `@odata.nextLink`). */
  origin: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as they are, undefined as an empty body. */
  body?: unknown;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** A route: `id` names it for fault injection and counters (e.g. `google.freeBusy`). */
export interface Route {
  id: string;
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** Thrown by handlers to answer with an error response. */
export class HttpFailure extends Error {
  constructor(readonly response: FakeResponse) {
    super(`HTTP ${response.status}`);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, body, headers };
}

export function fail(status: number, body: unknown, headers: Record<string, string> = {}): never {
  throw new HttpFailure({ status, body, headers });
}

/**
 * `/a/:b` patterns become regexes with named groups; matches one path segment per parameter. `:b(x|y)` limits the
 * parameter to those values.
 */
export function route(id: string, method: string, path: string, handler: Handler): Route {
  const source = path
    .replace(/[.]/g, '\\.')
    .replace(
      /:(\w+)(?:\(([\w|]+)\))?/g,
      (_match, name: string, values?: string) => `(?<${name}>${values ?? '[^/]+'})`,
    );
  return { id, method, pattern: new RegExp(`^${source}$`), handler };
}

export function matchRoute(routes: readonly Route[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeURIComponent(value);
    return { route: candidate, params };
  }
  return undefined;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJson<T>(req: FakeRequest): Partial<T> {
  if (!req.rawBody) return {};
  try {
    const value: unknown = JSON.parse(req.rawBody);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return fail(400, { error: { code: 400, message: 'Body is not valid JSON' } });
  }
}

export function parseForm(req: FakeRequest): URLSearchParams {
  return new URLSearchParams(req.rawBody);
}

export function bearerToken(req: FakeRequest): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}
