import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeEvent } from './fake-calendar-store';
import { controlRoutes } from './fake-control';
import { type FaultSpec, FaultInjector, applyPagingFault } from './fake-faults';
import { FakeGoogle, type GoogleServiceAccountJson } from './fake-google';
import { type GoogleEventBody, seedGoogleEvent } from './fake-google-calendar';
import { seedGraphEvent } from './fake-graph';
import type { GraphEventBody } from './fake-graph-events';
import {
  type FakeRequest,
  type FakeResponse,
  HttpFailure,
  type Route,
  json,
  bearerToken,
  matchRoute,
  readBody,
} from './fake-http';
import { type QuotaSpec, type ThrottleKey, ThrottleModel } from './fake-throttling';
import {
  DEFAULT_GRAPH_ROLES,
  FakeMicrosoft,
  type FakeMicrosoftUser,
  type FakeTenant,
  type MicrosoftAppCredentials,
} from './fake-microsoft';
import { TokenRegistry } from './fake-tokens';

export type FakePlatform = 'google' | 'office365';
export const CONTROL_PREFIX = '/__sandbox';

/**
 * One plain-HTTP server standing in for oauth2.googleapis.com, www.googleapis.com (Calendar v3),
 * login.microsoftonline.com and graph.microsoft.com, routed by path. Point the service at it with
 * GOOGLE_API_BASE_URL / MICROSOFT_LOGIN_BASE_URL / MICROSOFT_GRAPH_BASE_URL = `url`.
 * Tests use the methods below; a standalone process exposes the same controls under /__sandbox (fake-control.ts).
 */
export class FakeProviderServer {
  readonly tokens = new TokenRegistry();
  readonly faults = new FaultInjector();
  readonly throttling = new ThrottleModel();
  readonly google = new FakeGoogle(this.tokens);
  readonly microsoft = new FakeMicrosoft(this.tokens);
  private readonly apiRoutes: Route[] = [...this.google.routes(), ...this.microsoft.routes()];
  private readonly control: Route[] = controlRoutes(this);
  private server?: Server;

  static async start(options: { port?: number; host?: string } = {}): Promise<FakeProviderServer> {
    const fake = new FakeProviderServer();
    await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return fake;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  /** Origin to configure, e.g. http://127.0.0.1:4010. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('FakeProviderServer is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Closes keep-alive connections first: fetch/undici keep them open and close() would wait for them. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  // ---- Google -------------------------------------------------------------------------------------------------

  /** A service account with a fresh RSA key; returns the downloadable JSON key. */
  createGoogleServiceAccount(
    options: { projectId?: string; name?: string } = {},
  ): Promise<GoogleServiceAccountJson> {
    return this.google.createServiceAccount(options);
  }

  addGoogleUser(email: string, options: { timeZone?: string; suspended?: boolean } = {}): void {
    this.google.addUser(email, options);
  }

  /** Admin Console › Domain-wide delegation: allow `clientId` the `scopes` for users of `domain`. */
  authorizeDomainWideDelegation(
    domain: string,
    clientId: string,
    scopes = ['https://www.googleapis.com/auth/calendar'],
  ): void {
    this.google.authorizeDelegation(domain, clientId, scopes);
  }

  revokeDomainWideDelegation(domain: string, clientId: string): void {
    this.google.revokeDelegation(domain, clientId);
  }

  // ---- Microsoft ----------------------------------------------------------------------------------------------

  createMicrosoftTenant(
    options: { tenantId?: string; domain?: string; displayName?: string } = {},
  ): FakeTenant {
    return this.microsoft.createTenant(options);
  }

  addMicrosoftUser(
    tenantId: string,
    mail: string | null,
    options: {
      userPrincipalName?: string;
      displayName?: string;
      hasMailbox?: boolean;
      /** Mailbox settings › time zone (a Windows or IANA name; default UTC). */
      timeZone?: string;
    } = {},
  ): FakeMicrosoftUser {
    return this.microsoft.addUser(tenantId, { mail, ...options });
  }

  /**
   * An app registration (client id + secret) in `tenantId` (a new tenant when omitted). `consent`: admin consent with
   * the default roles (Calendars.ReadWrite, User.Read.All), specific roles, or none (false, the default).
   */
  createMicrosoftApp(
    options: { tenantId?: string; consent?: boolean | string[] } = {},
  ): MicrosoftAppCredentials {
    const tenantId = options.tenantId ?? this.microsoft.createTenant().id;
    const app = this.microsoft.createApp({ tenantId });
    if (options.consent) {
      this.microsoft.grantConsent(
        tenantId,
        app.client_id,
        options.consent === true ? DEFAULT_GRAPH_ROLES : options.consent,
      );
    }
    return app;
  }

  grantAdminConsent(tenantId: string, clientId: string, roles: string[] = DEFAULT_GRAPH_ROLES): void {
    this.microsoft.grantConsent(tenantId, clientId, roles);
  }

  revokeAdminConsent(tenantId: string, clientId: string): void {
    this.microsoft.revokeConsent(tenantId, clientId);
  }

  // ---- Calendars ----------------------------------------------------------------------------------------------

  /** Busy time on a mailbox's primary calendar (or `calendarId`), reported by free/busy and calendarView. */
  addBusyBlock(
    platform: FakePlatform,
    email: string,
    block: { start: Date; end: Date; calendarId?: string },
  ): void {
    const { store, mailbox } = this.mailbox(platform, email);
    const calendarId = block.calendarId ?? store.primaryOf(mailbox)?.id;
    if (!calendarId) throw new Error(`${email} has no calendar`);
    store.addBusy(calendarId, { start: block.start, end: block.end });
  }

  /**
   * Puts an event into a mailbox's primary calendar (or `calendarId`) as the member's calendar app, or an invitation
   * from someone else, would: `body` is the platform's own event shape (Google: `start.date` for all-day,
   * `transparency`, `status: cancelled`, `attendees[].responseStatus`, `organizer`; Graph: `isAllDay`, `showAs`,
   * `isCancelled`, `attendees[].status.response`, `organizer`, times in any IANA or Windows zone). Returns the event
   * as the platform's API shows it.
   */
  seedEvent(
    platform: FakePlatform,
    email: string,
    body: GoogleEventBody | GraphEventBody,
    calendarId?: string,
  ): Record<string, unknown> {
    const { store, mailbox } = this.mailbox(platform, email);
    const calendar = calendarId ? store.calendar(calendarId) : store.primaryOf(mailbox);
    if (!calendar) throw new Error(`${email} has no calendar ${calendarId ?? ''}`.trim());
    if (platform === 'google') return seedGoogleEvent(this.google, calendar, body as GoogleEventBody);
    const found = this.microsoft.findUser(email);
    if (!found) throw new Error(`No Microsoft user ${email}`);
    return seedGraphEvent(this.microsoft, found.user, found.tenant, calendar, body as GraphEventBody);
  }

  /**
   * How online meetings of new events are created: ready in the create's answer (`readyAfterReads: 0`, the default),
   * or pending until the n-th later read of the event (Google: createRequest `pending`; Graph: `onlineMeeting: null`).
   * Google only: `failure` makes every Meet createRequest fail.
   */
  setConferenceCreation(
    platform: FakePlatform,
    options: { readyAfterReads?: number; failure?: boolean },
  ): { readyAfterReads: number; failure?: boolean } {
    if (platform === 'google') {
      if (options.readyAfterReads !== undefined) this.google.meet.readyAfterReads = options.readyAfterReads;
      if (options.failure !== undefined) this.google.meet.failure = options.failure;
      return { ...this.google.meet };
    }
    if (options.failure)
      throw new Error('Graph has no failure state for Teams meetings (onlineMeeting stays null)');
    if (options.readyAfterReads !== undefined)
      this.microsoft.onlineMeetings.readyAfterReads = options.readyAfterReads;
    return { ...this.microsoft.onlineMeetings };
  }

  /**
   * The member deletes an event in their own calendar app (Google then answers 410 `deleted`, Graph 404
   * `ErrorItemNotFound`). False when the mailbox has no such live event.
   */
  deleteEvent(platform: FakePlatform, email: string, eventId: string): boolean {
    const event = this.events(platform, email).find((e) => e.id === eventId);
    if (!event) return false;
    event.deleted = true;
    return true;
  }

  /** Live events in the calendars a mailbox owns. */
  events(platform: FakePlatform, email: string): FakeEvent[] {
    const { store, mailbox } = this.mailbox(platform, email);
    return store.eventsOf(mailbox);
  }

  // ---- Faults and counters ------------------------------------------------------------------------------------

  injectFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Requests a route received (all routes when omitted), faulted ones included. */
  callCount(routeId?: string): number {
    return this.faults.callCount(routeId);
  }

  /** Arrival times (epoch ms) of the requests to a route. */
  callTimes(routeId: string): number[] {
    return this.faults.callTimes(routeId);
  }

  /** Tokens issued: Google per impersonated subject (email), Microsoft per `${clientId}@${tenantId}`. */
  tokenMints(subject?: string): number {
    return this.tokens.mintCount(subject);
  }

  lastToken(subject: string): string | undefined {
    return this.tokens.lastToken(subject);
  }

  /** Makes every issued token expired, as if revoked: APIs answer 401 until clients mint new ones. */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  /**
   * Calls per route, token mints, the most requests seen in flight at once per mailbox (Google: per impersonated
   * user; Graph: per mailbox, over any one app) and how many requests throttling refused.
   */
  counters(): {
    calls: Record<string, number>;
    tokenMints: Record<string, number>;
    maxInFlight: Record<FakePlatform, Record<string, number>>;
    throttled: Record<FakePlatform, number>;
  } {
    return {
      calls: this.faults.callCounts(),
      tokenMints: this.tokens.mintCounts(),
      ...this.throttling.counters(),
    };
  }

  resetCounters(): void {
    this.faults.resetCounters();
    this.tokens.resetCounters();
    this.throttling.resetCounters();
  }

  /** A per-user (Google) or per-mailbox (Graph) request quota over a sliding window (replaces the platform's). */
  setQuota(spec: QuotaSpec): void {
    this.throttling.setQuota(spec);
  }

  /** Forgets everything: directories, apps, calendars, tokens, faults and counters. */
  reset(): void {
    this.google.clear();
    this.microsoft.clear();
    this.tokens.clear();
    this.faults.clear();
    this.faults.resetCounters();
    this.throttling.reset();
  }

  private mailbox(platform: FakePlatform, email: string) {
    const address = email.toLowerCase();
    if (platform === 'google') return { store: this.google.store, mailbox: address };
    for (const tenant of this.microsoft.tenants.values()) {
      const user = [...tenant.users.values()].find(
        (u) => u.mail === address || u.userPrincipalName === address,
      );
      if (user) return { store: this.microsoft.store, mailbox: user.id };
    }
    throw new Error(`No Microsoft user ${email}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: FakeResponse | undefined;
    let throttleKey: ThrottleKey | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const method = req.method ?? 'GET';
      const isControl = url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`);
      const match = matchRoute(isControl ? this.control : this.apiRoutes, method, url.pathname);
      const rawBody = await readBody(req);
      if (!match) {
        response = json(404, {
          error: { code: 404, message: `No fake route for ${method} ${url.pathname}` },
        });
      } else {
        const request: FakeRequest = {
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          params: match.params,
          rawBody,
          origin: `http://${req.headers.host ?? '127.0.0.1'}`,
        };
        if (!isControl) {
          this.faults.record(match.route.id);
          // In flight from arrival to answer (latency faults included), as the service sees it.
          throttleKey = this.throttleKeyOf(match.route.id, request);
          if (throttleKey) response = this.throttling.check(throttleKey, this.throttling.enter(throttleKey));
        }
        if (!response) response = await this.answer(match.route, request, isControl);
      }
    } catch (error) {
      response =
        error instanceof HttpFailure
          ? error.response
          : json(500, {
              error: { code: 500, message: error instanceof Error ? error.message : String(error) },
            });
    }
    try {
      if (res.destroyed) return; // the client gave up (timeout test)
      const body =
        response.body === undefined
          ? ''
          : typeof response.body === 'string'
            ? response.body
            : JSON.stringify(response.body);
      const contentType =
        typeof response.body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
      res.writeHead(response.status, {
        ...(body ? { 'content-type': contentType } : {}),
        ...response.headers,
      });
      res.end(body);
    } finally {
      if (throttleKey) this.throttling.leave(throttleKey);
    }
  }

  /** Runs a route: its fault (latency, error, lost answer, paging) and its handler. */
  private async answer(route: Route, request: FakeRequest, isControl: boolean): Promise<FakeResponse> {
    const fault = isControl ? undefined : this.faults.take(route.id);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.response && !fault.afterProcessing) return fault.response;
    let response = await route.handler(request);
    if (fault?.paging) response = applyPagingFault(fault.paging, request, response);
    return fault?.response ?? response;
  }

  /**
   * Whom a provider request counts against for throttling and in-flight tracking: the impersonated user of a live
   * Google token, or the (app, mailbox) of a Graph request under /users/{id}. Undefined for token requests,
   * directory lookups and requests without a valid token (those are refused before any quota applies).
   */
  private throttleKeyOf(routeId: string, req: FakeRequest): ThrottleKey | undefined {
    const grant = this.tokens.lookup(bearerToken(req));
    if (!grant || grant === 'expired') return undefined;
    if (routeId.startsWith('google.') && grant.platform === 'google') {
      return { platform: 'google', app: grant.clientId, mailbox: grant.subject };
    }
    if (routeId.startsWith('graph.') && grant.platform === 'microsoft' && req.params.user) {
      const tenant = this.microsoft.findTenant(grant.tenantId);
      const key = req.params.user.toLowerCase();
      const user = tenant
        ? [...tenant.users.values()].find((u) => u.id === key || u.userPrincipalName === key)
        : undefined;
      if (!user) return undefined;
      return { platform: 'office365', app: grant.clientId, mailbox: user.mail ?? user.userPrincipalName };
    }
    return undefined;
  }
}
