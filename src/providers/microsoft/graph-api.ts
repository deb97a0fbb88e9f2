import {
  Client,
  type Context,
  HTTPMessageHandler,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { collectPages } from '../paging';
import type { ProviderLimiter } from '../provider-limiter';

export const GRAPH_ORIGIN = 'https://graph.microsoft.com';

/** Per-request data for {@link BearerTimeoutMiddleware}: the token we acquired and the request timeout. */
class BearerTimeoutOption implements MiddlewareOptions {
  constructor(
    readonly accessToken: string,
    readonly timeoutMs: number,
  ) {}
}

/** Per-request data for {@link MailboxLimitMiddleware}: whose mailbox the request reads or writes. */
class MailboxLimitOption implements MiddlewareOptions {
  constructor(
    readonly appKey: string,
    readonly mailbox: string,
  ) {}
}

/**
 * Holds each mailbox request to the shared limits (4 concurrent per app and mailbox, and the mailbox's request rate)
 * for as long as the request is in flight. First in the chain, so waiting for a slot does not eat the timeout.
 */
class MailboxLimitMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly limiter: ProviderLimiter) {}
  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('MailboxLimitMiddleware must not be last in the chain');
    const option = context.middlewareControl?.getMiddlewareOptions(MailboxLimitOption);
    if (!(option instanceof MailboxLimitOption)) return next.execute(context);
    await this.limiter.graphRequest(option.appKey, option.mailbox, () => next.execute(context));
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Sets `Authorization: Bearer` and a timeout signal. Replaces Graph's AuthenticationHandler, which silently drops
 * the header for any non-https base URL (so a plain-http fake would see no token), and which would hide MSAL errors
 * inside a GraphError. There is no RetryHandler in the chain: retries are done by the provider's policy, which
 * bounds Retry-After and also covers 500 and the token request.
 */
class BearerTimeoutMiddleware implements Middleware {
  private next?: Middleware;

  async execute(context: Context): Promise<void> {
    const option = context.middlewareControl?.getMiddlewareOptions(BearerTimeoutOption);
    if (!(option instanceof BearerTimeoutOption)) throw new Error('Graph request without an access token');
    const headers = new Headers(context.options?.headers);
    headers.set('Authorization', `Bearer ${option.accessToken}`);
    context.options = { ...context.options, headers, signal: AbortSignal.timeout(option.timeoutMs) };
    if (!this.next) throw new Error('BearerTimeoutMiddleware must not be last in the chain');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function createGraphClient(baseUrl: string = GRAPH_ORIGIN, limiter?: ProviderLimiter): Client {
  return Client.initWithMiddleware({
    baseUrl: `${baseUrl}/`,
    defaultVersion: 'v1.0',
    middleware: [
      ...(limiter ? [new MailboxLimitMiddleware(limiter)] : []),
      new BearerTimeoutMiddleware(),
      new HTTPMessageHandler(),
    ],
  });
}

export interface GraphCollection<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

type Query = Record<string, string>;

/** Graph calls with one token. Query values are encoded here: the SDK pastes them into the URL as given. */
export class GraphApi {
  constructor(
    private readonly client: Client,
    private readonly accessToken: string,
    private readonly timeoutMs: number,
    /** Most `@odata.nextLink` pages followed by getAll (see ProviderOptions.maxPages). */
    private readonly maxPages = 100,
    /** Whose mailbox `/users/{id}/…` requests reach, for the per-mailbox limits: app (client@tenant) and address. */
    private readonly mailbox?: { appKey: string; address: string },
  ) {}

  private request(path: string, query?: Query) {
    const options: MiddlewareOptions[] = [new BearerTimeoutOption(this.accessToken, this.timeoutMs)];
    // Mailbox resources live under /users/{id}/…; directory lookups (/users?$filter) are not mailbox requests.
    if (this.mailbox && path.startsWith('/users/'))
      options.push(new MailboxLimitOption(this.mailbox.appKey, this.mailbox.address));
    const request = this.client
      .api(path)
      .middlewareOptions(options)
      // Times in answers come back in UTC instead of each event's own zone.
      .header('Prefer', 'outlook.timezone="UTC"');
    if (query) {
      request.query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, encodeURIComponent(v)])));
    }
    return request;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request(path, query).get()) as T;
  }

  /**
   * Every page of a collection, following `@odata.nextLink` (relative to the version segment), at most `maxPages`
   * pages and never the same link twice (PROVIDER_UNAVAILABLE otherwise).
   */
  getAll<T>(path: string, query?: Query, what = `listing ${path}`): Promise<T[]> {
    const read = (page: GraphCollection<T>) => ({ items: page.value, next: page['@odata.nextLink'] });
    return collectPages(
      async () => read(await this.get<GraphCollection<T>>(path, query)),
      async (link) => {
        const next = new URL(link);
        return read(
          await this.get<GraphCollection<T>>(`${next.pathname.replace(/^\/(v1\.0|beta)/, '')}${next.search}`),
        );
      },
      { platform: 'office365', what, maxPages: this.maxPages },
    );
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request(path).post(body)) as T;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request(path).patch(body)) as T;
  }

  async delete(path: string): Promise<void> {
    await this.request(path).delete();
  }
}

/** Path segment for a Graph id or email (ids may contain `/`, `+` and `=`). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
