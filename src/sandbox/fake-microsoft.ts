import { randomBytes, randomUUID } from 'node:crypto';
import { CalendarStore } from './fake-calendar-store';
import { type FakeRequest, type FakeResponse, type Route, fail, json, parseForm, route } from './fake-http';
import { graphRoutes } from './fake-graph';
import { graphZone } from './fake-time';
import type { TokenRegistry } from './fake-tokens';

/** Application permissions granted by default on admin consent. */
export const DEFAULT_GRAPH_ROLES = ['Calendars.ReadWrite', 'User.Read.All'];
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export interface FakeTenant {
  id: string;
  domain: string;
  displayName: string;
  users: Map<string, FakeMicrosoftUser>;
  /**
   * client id → the app's service principal (enterprise application) in this tenant, with the application
   * permissions an admin consented to. An app has one in its home tenant from registration on, elsewhere only once
   * an admin consented. Revoking consent empties `roles`; removing the app deletes the entry.
   */
  servicePrincipals: Map<string, FakeServicePrincipal>;
  /** client id → Exchange Online application access policy (New-ApplicationAccessPolicy). */
  accessPolicies: Map<string, FakeAccessPolicy>;
}

export interface FakeServicePrincipal {
  roles: Set<string>;
  /** "Enabled for users to sign-in?" — a disabled one gets no tokens (AADSTS7000112). */
  enabled: boolean;
}

/**
 * An Exchange application access policy: RestrictAccess lets the app reach only `mailboxes`, DenyAccess every
 * mailbox but those. Graph then answers 403 ErrorAccessDenied "Access to OData is disabled." for the others.
 */
export interface FakeAccessPolicy {
  accessRight: 'RestrictAccess' | 'DenyAccess';
  /** Graph user ids. */
  mailboxes: Set<string>;
}

export interface FakeMicrosoftUser {
  id: string;
  mail: string | null;
  userPrincipalName: string;
  displayName: string;
  /** Users without an Exchange Online mailbox have no calendar (Graph: MailboxNotEnabledForRESTAPI). */
  hasMailbox: boolean;
  /**
   * Mailbox settings › time zone, as Exchange stores it (a Windows name such as "Pacific Standard Time", or an IANA
   * name). All-day events of the mailbox are its local days. Default UTC.
   */
  timeZone: string;
}

interface FakeApp {
  clientId: string;
  homeTenantId: string;
  displayName: string;
  secrets: FakeClientSecret[];
}

/** A client secret as Certificates & secrets shows it: a Secret ID (GUID) and a Value (shown once). */
export interface FakeClientSecret {
  id: string;
  value: string;
  /** Epoch ms; undefined = never. */
  expiresAt?: number;
}

/** The shape of MicrosoftServiceAccountKey: `private_key` is the client secret value. */
export interface MicrosoftAppCredentials {
  tenant_id: string;
  client_id: string;
  private_key: string;
}

/** The IANA zone of a mailbox time-zone setting; throws for a name Exchange does not know. */
function mailboxZone(label: string): string {
  const zone = graphZone(label);
  if (!zone) throw new Error(`Unknown time zone "${label}" (a Windows or IANA name)`);
  return zone;
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

function newSecret(expiresInSeconds?: number): FakeClientSecret {
  return {
    id: randomUUID(),
    value: `${randomBytes(3).toString('hex')}~${randomBytes(24).toString('base64url')}`,
    ...(expiresInSeconds !== undefined ? { expiresAt: Date.now() + expiresInSeconds * 1000 } : {}),
  };
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
  /** Teams meetings of new events: joinUrl in the create's answer (0), or `null` until the n-th later read. */
  readonly onlineMeetings = { readyAfterReads: 0 };
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
      servicePrincipals: new Map(),
      accessPolicies: new Map(),
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
    user: {
      mail: string | null;
      userPrincipalName?: string;
      displayName?: string;
      hasMailbox?: boolean;
      timeZone?: string;
    },
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
      timeZone: user.timeZone ?? 'UTC',
    };
    mailboxZone(created.timeZone); // refuses an unknown zone before the user exists
    tenant.users.set(created.id, created);
    if (created.hasMailbox) this.addPrimaryCalendar(created);
    return created;
  }

  private addPrimaryCalendar(user: FakeMicrosoftUser): void {
    const id = `AAMkAD${randomBytes(33).toString('base64url')}=`;
    this.store.addCalendar(
      { id, name: 'Calendar', timeZone: mailboxZone(user.timeZone), owner: user.id },
      { primary: true },
    );
  }

  /** An app registration in `tenantId` (its home tenant) with one client secret. No permissions until consent. */
  createApp(options: { tenantId: string; displayName?: string }): MicrosoftAppCredentials {
    const tenant = this.requireTenant(options.tenantId);
    const clientId = randomUUID();
    const secret = newSecret();
    this.apps.set(clientId, {
      clientId,
      homeTenantId: tenant.id,
      displayName: options.displayName ?? 'Cal.com delegation',
      secrets: [secret],
    });
    tenant.servicePrincipals.set(clientId, { roles: new Set(), enabled: true });
    return { tenant_id: options.tenantId, client_id: clientId, private_key: secret.value };
  }

  /** Certificates & secrets › New client secret; `expireOthers` makes the previous ones expired. */
  addSecret(
    clientId: string,
    options: { expireOthers?: boolean; expiresInSeconds?: number } = {},
  ): FakeClientSecret {
    const app = this.requireApp(clientId);
    if (options.expireOthers) for (const secret of app.secrets) secret.expiresAt = 0;
    const secret = newSecret(options.expiresInSeconds);
    app.secrets.push(secret);
    return secret;
  }

  /** The app's secrets (ids, values, expiry). */
  secretsOf(clientId: string): FakeClientSecret[] {
    return [...this.requireApp(clientId).secrets];
  }

  /** Lets one secret (or every secret of the app) expire now, as its end date passing would. */
  expireSecrets(clientId: string, secretId?: string): void {
    const app = this.requireApp(clientId);
    const targets = secretId ? app.secrets.filter((s) => s.id === secretId) : app.secrets;
    if (targets.length === 0) throw new Error(`No secret ${secretId ?? ''} on app ${clientId}`);
    for (const secret of targets) secret.expiresAt = 0;
  }

  /**
   * Removes the app from a tenant (deletes its enterprise application there). In its home tenant, or without a
   * tenant, the app registration itself is deleted, and with it every service principal.
   */
  removeApp(clientId: string, tenantId?: string): void {
    const app = this.requireApp(clientId);
    const tenant = tenantId ? this.requireTenant(tenantId) : undefined;
    if (!tenant || tenant.id === app.homeTenantId) {
      this.apps.delete(clientId);
      for (const t of this.tenants.values()) {
        t.servicePrincipals.delete(clientId);
        t.accessPolicies.delete(clientId);
      }
      return;
    }
    tenant.servicePrincipals.delete(clientId);
    tenant.accessPolicies.delete(clientId);
  }

  /** Enterprise applications › the app › Properties › Enabled for users to sign-in. */
  setAppEnabled(tenantId: string, clientId: string, enabled: boolean): void {
    const principal = this.requireTenant(tenantId).servicePrincipals.get(clientId);
    if (!principal) throw new Error(`App ${clientId} is not in tenant ${tenantId}`);
    principal.enabled = enabled;
  }

  /** Admin consent: creates the app's service principal in the tenant if needed, with these permissions. */
  grantConsent(tenantId: string, clientId: string, roles: string[] = DEFAULT_GRAPH_ROLES): void {
    this.requireApp(clientId);
    const tenant = this.requireTenant(tenantId);
    const principal = tenant.servicePrincipals.get(clientId) ?? { roles: new Set<string>(), enabled: true };
    principal.roles = new Set(roles);
    tenant.servicePrincipals.set(clientId, principal);
  }

  /** Revokes the consented permissions; the app stays in the tenant and still gets tokens, without roles. */
  revokeConsent(tenantId: string, clientId: string): void {
    const principal = this.requireTenant(tenantId).servicePrincipals.get(clientId);
    if (principal) principal.roles = new Set();
  }

  /** New-ApplicationAccessPolicy (replacing the app's policy in the tenant) for mailboxes given by address. */
  setAccessPolicy(
    tenantId: string,
    clientId: string,
    accessRight: FakeAccessPolicy['accessRight'],
    mailboxes: string[],
  ): void {
    const tenant = this.requireTenant(tenantId);
    const ids = mailboxes.map((address) => {
      const user = this.userByAddress(tenant, address);
      if (!user) throw new Error(`No user ${address} in tenant ${tenantId}`);
      return user.id;
    });
    tenant.accessPolicies.set(clientId, { accessRight, mailboxes: new Set(ids) });
  }

  removeAccessPolicy(tenantId: string, clientId: string): void {
    this.requireTenant(tenantId).accessPolicies.delete(clientId);
  }

  /** Whether an access policy keeps app `clientId` out of `user`'s mailbox. */
  deniedByPolicy(tenant: FakeTenant, clientId: string, user: FakeMicrosoftUser): boolean {
    const policy = tenant.accessPolicies.get(clientId);
    if (!policy) return false;
    const listed = policy.mailboxes.has(user.id);
    return policy.accessRight === 'RestrictAccess' ? !listed : listed;
  }

  /** A user by mail or userPrincipalName. */
  userByAddress(tenant: FakeTenant, address: string): FakeMicrosoftUser | undefined {
    const key = address.toLowerCase();
    return [...tenant.users.values()].find((u) => u.mail === key || u.userPrincipalName === key);
  }

  /** Changes a user: `hasMailbox: false` disables the mailbox (calendar kept), `true` gives it one again. */
  updateUser(
    address: string,
    changes: { hasMailbox?: boolean; displayName?: string; timeZone?: string },
  ): FakeMicrosoftUser {
    const found = this.findUser(address);
    if (!found) throw new Error(`No Microsoft user ${address}`);
    const { user } = found;
    if (changes.displayName !== undefined) user.displayName = changes.displayName;
    if (changes.hasMailbox !== undefined) {
      user.hasMailbox = changes.hasMailbox;
      if (user.hasMailbox && !this.store.primaryOf(user.id)) this.addPrimaryCalendar(user);
    }
    if (changes.timeZone !== undefined) {
      const zone = mailboxZone(changes.timeZone);
      user.timeZone = changes.timeZone;
      // The mailbox's calendars follow its time zone: all-day events move to the new local days.
      for (const { calendar } of this.store.listFor(user.id))
        if (calendar.owner === user.id) this.store.setTimeZone(calendar.id, zone);
    }
    return user;
  }

  /** Deletes a user from its tenant's directory. */
  removeUser(address: string): boolean {
    const found = this.findUser(address);
    return found ? found.tenant.users.delete(found.user.id) : false;
  }

  findUser(address: string): { tenant: FakeTenant; user: FakeMicrosoftUser } | undefined {
    for (const tenant of this.tenants.values()) {
      const user = this.userByAddress(tenant, address);
      if (user) return { tenant, user };
    }
    return undefined;
  }

  clear(): void {
    this.store.clear();
    this.tenants.clear();
    this.apps.clear();
    this.onlineMeetings.readyAfterReads = 0;
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

  private requireApp(clientId: string): FakeApp {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`No app ${clientId}`);
    return app;
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
    const principal = tenant.servicePrincipals.get(clientId);
    // The app exists in a tenant through its service principal: its home tenant's, or one an admin consented to.
    if (!app || !principal) {
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
    // A secret's ID is not a credential: sending it instead of the value is just a wrong secret.
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
        `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      );
    }
    if (!principal.enabled) {
      aadError(
        400,
        'unauthorized_client',
        7000112,
        `Application '${clientId}'(${app.displayName}) is disabled.`,
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
      { platform: 'microsoft', tenantId: tenant.id, clientId, roles: [...principal.roles] },
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
