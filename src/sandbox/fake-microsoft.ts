import { randomBytes, randomUUID } from 'node:crypto';
import { CalendarStore } from './fake-calendar-store';
import { type FakeRequest, type FakeResponse, type Route, fail, json, parseForm, route } from './fake-http';
import { graphRoutes } from './fake-graph';
import type { TokenRegistry } from './fake-tokens';

/** Application permissions granted by default on admin consent. */
export const DEFAULT_GRAPH_ROLES = ['Calendars.ReadWrite', 'User.Read.All'];
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export interface FakeTenant {
  id: string;
  domain: string;
  displayName: string;
  users: Map<string, FakeMicrosoftUser>;
  /** client id → application permissions an admin consented to. */
  consents: Map<string, Set<string>>;
}

export interface FakeMicrosoftUser {
  id: string;
  mail: string | null;
  userPrincipalName: string;
  displayName: string;
  /** Users without an Exchange Online mailbox have no calendar (Graph: MailboxNotEnabledForRESTAPI). */
  hasMailbox: boolean;
}

interface FakeApp {
  clientId: string;
  homeTenantId: string;
  displayName: string;
  secrets: { value: string; expiresAt?: number }[];
}

/** The shape of MicrosoftServiceAccountKey: `private_key` is the client secret value. */
export interface MicrosoftAppCredentials {
  tenant_id: string;
  client_id: string;
  private_key: string;
}

/** Entra ID error body with the AADSTS code, trace and correlation ids, as login.microsoftonline.com sends. */
function aadError(status: number, error: string, code: number, description: string): never {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return fail(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

/**
 * Microsoft Entra ID for the client-credentials flow: tenants with users, app registrations with secrets, and
 * per-tenant admin consent granting application permissions (roles). Graph data lives in `store`.
 */
export class FakeMicrosoft {
  readonly store = new CalendarStore();
  readonly tenants = new Map<string, FakeTenant>();
  /** Graph caps `$top` (1000 for events); lower it to make clients follow `@odata.nextLink`. */
  maxPageSize = 1000;
  private readonly apps = new Map<string, FakeApp>();

  constructor(readonly tokens: TokenRegistry) {}

  createTenant(options: { tenantId?: string; domain?: string; displayName?: string } = {}): FakeTenant {
    const id = options.tenantId ?? randomUUID();
    const domain = (
      options.domain ?? `tenant${randomBytes(3).toString('hex')}.onmicrosoft.com`
    ).toLowerCase();
    const tenant: FakeTenant = {
      id,
      domain,
      displayName: options.displayName ?? domain,
      users: new Map(),
      consents: new Map(),
    };
    this.tenants.set(id, tenant);
    return tenant;
  }

  /** By tenant id (GUID) or domain name, as the token URL accepts both. */
  findTenant(idOrDomain: string): FakeTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return [...this.tenants.values()].find((t) => t.id.toLowerCase() === key || t.domain === key);
  }

  addUser(
    tenantId: string,
    user: { mail: string | null; userPrincipalName?: string; displayName?: string; hasMailbox?: boolean },
  ): FakeMicrosoftUser {
    const tenant = this.requireTenant(tenantId);
    const mail = user.mail?.toLowerCase() ?? null;
    const created: FakeMicrosoftUser = {
      id: randomUUID(),
      mail,
      userPrincipalName: (
        user.userPrincipalName ??
        mail ??
        `user${randomBytes(3).toString('hex')}@${tenant.domain}`
      ).toLowerCase(),
      displayName: user.displayName ?? mail ?? 'User',
      hasMailbox: user.hasMailbox ?? true,
    };
    tenant.users.set(created.id, created);
    if (created.hasMailbox) {
      const id = `AAMkAD${randomBytes(33).toString('base64url')}=`;
      this.store.addCalendar({ id, name: 'Calendar', timeZone: 'UTC', owner: created.id }, { primary: true });
    }
    return created;
  }

  /** An app registration in `tenantId` (its home tenant) with one client secret. No permissions until consent. */
  createApp(options: { tenantId: string; displayName?: string }): MicrosoftAppCredentials {
    this.requireTenant(options.tenantId);
    const clientId = randomUUID();
    const secret = `${randomBytes(3).toString('hex')}~${randomBytes(24).toString('base64url')}`;
    this.apps.set(clientId, {
      clientId,
      homeTenantId: options.tenantId,
      displayName: options.displayName ?? 'Cal.com delegation',
      secrets: [{ value: secret }],
    });
    return { tenant_id: options.tenantId, client_id: clientId, private_key: secret };
  }

  /** A second secret (rotation); `expireOthers` makes the previous ones expired. */
  addSecret(clientId: string, options: { expireOthers?: boolean } = {}): string {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`No app ${clientId}`);
    if (options.expireOthers) for (const secret of app.secrets) secret.expiresAt = 0;
    const value = `${randomBytes(3).toString('hex')}~${randomBytes(24).toString('base64url')}`;
    app.secrets.push({ value });
    return value;
  }

  grantConsent(tenantId: string, clientId: string, roles: string[] = DEFAULT_GRAPH_ROLES): void {
    this.requireTenant(tenantId).consents.set(clientId, new Set(roles));
  }

  revokeConsent(tenantId: string, clientId: string): void {
    this.requireTenant(tenantId).consents.delete(clientId);
  }

  clear(): void {
    this.store.clear();
    this.tenants.clear();
    this.apps.clear();
  }

  routes(): Route[] {
    return [
      route('microsoft.token', 'POST', '/:tenant/oauth2/v2.0/token', (req) => this.token(req)),
      ...graphRoutes(this),
    ];
  }

  private requireTenant(tenantId: string): FakeTenant {
    const tenant = this.findTenant(tenantId);
    if (!tenant) throw new Error(`No tenant ${tenantId}`);
    return tenant;
  }

  /** POST /{tenant}/oauth2/v2.0/token, client_credentials, in the order Entra checks. */
  private token(req: FakeRequest): FakeResponse {
    const form = parseForm(req);
    const tenant = this.findTenant(req.params.tenant);
    if (!tenant) {
      aadError(
        400,
        'invalid_request',
        90002,
        `Tenant '${req.params.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    const app = this.apps.get(clientId);
    const roles = tenant.consents.get(clientId);
    // The app exists in its home tenant; elsewhere only once an admin consented (its service principal).
    if (!app || (app.homeTenantId !== tenant.id && !roles)) {
      aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const secret = form.get('client_secret');
    if (!secret) {
      aadError(
        401,
        'invalid_client',
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    }
    const match = app.secrets.find((s) => s.value === secret);
    if (!match) {
      aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (match.expiresAt !== undefined && match.expiresAt <= Date.now()) {
      aadError(
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${clientId}' are expired.`,
      );
    }
    if (form.get('scope') !== GRAPH_DEFAULT_SCOPE) {
      aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const { token, expiresIn } = this.tokens.issue(
      { platform: 'microsoft', tenantId: tenant.id, clientId, roles: [...(roles ?? [])] },
      `${clientId}@${tenant.id}`,
    );
    return json(200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
    });
  }
}
