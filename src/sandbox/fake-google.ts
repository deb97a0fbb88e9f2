import { generateKeyPair, randomBytes, randomInt, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { CalendarStore } from './fake-calendar-store';
import { type FakeRequest, type FakeResponse, type Route, fail, json, parseForm, route } from './fake-http';
import { googleCalendarRoutes } from './fake-google-calendar';
import type { TokenRegistry } from './fake-tokens';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The `aud` google-auth-library always signs (its token URL is hardcoded), whatever host it is sent to. */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts assertions valid for at most an hour, with a little clock skew. */
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 300;

/** A key file as Google Cloud Console lets you download it. */
export interface GoogleServiceAccountJson {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

interface ServiceAccount {
  clientEmail: string;
  clientId: string;
  projectId: string;
  /** Disabled in IAM & Admin › Service Accounts: the token endpoint answers `disabled_client`. */
  disabled: boolean;
  /** private_key_id → public key. Deleting a key makes its signatures invalid; disabling one refuses them. */
  publicKeys: Map<string, { pem: string; disabled: boolean }>;
}

/** A Google Cloud project: its number (what Google's error messages name) and whether the Calendar API is on. */
export interface FakeCloudProject {
  projectId: string;
  projectNumber: string;
  calendarApiEnabled: boolean;
}

export const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

function invalidGrant(description: string): never {
  return fail(400, { error: 'invalid_grant', error_description: description });
}

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // handled below
  }
  return invalidGrant('Invalid JWT: Unable to parse the assertion.');
}

/**
 * Google's side of domain-wide delegation: service accounts and their keys, Workspace users, and the admin's DWD
 * allow-list of (client ID → scopes) per Workspace domain. Issues impersonation tokens like oauth2.googleapis.com.
 */
export class FakeGoogle {
  readonly store = new CalendarStore();
  readonly users = new Map<string, { email: string; suspended: boolean }>();
  readonly projects = new Map<string, FakeCloudProject>();
  /**
   * How Google Meet conferences get created: ready in the insert's answer (`readyAfterReads: 0`, the default), or
   * answered `pending` and ready on the n-th later read of the event; `failure` makes every createRequest fail.
   */
  readonly meet = { readyAfterReads: 0, failure: false };
  /** Calendars whose free/busy comes back with a per-calendar error `reason` (for `times` answers, or until cleared). */
  readonly freeBusyErrors = new Map<string, { reason: string; times?: number }>();
  private readonly serviceAccounts = new Map<string, ServiceAccount>();
  private readonly delegations = new Map<string, Map<string, Set<string>>>();

  constructor(readonly tokens: TokenRegistry) {}

  async createServiceAccount(
    options: { projectId?: string; name?: string } = {},
  ): Promise<GoogleServiceAccountJson> {
    const projectId = options.projectId ?? `sandbox-${randomInt(100000, 999999)}`;
    const name = options.name ?? `delegation-${randomInt(1000, 9999)}`;
    const clientEmail = `${name}@${projectId}.iam.gserviceaccount.com`;
    const clientId = `1${Array.from({ length: 20 }, () => randomInt(0, 10)).join('')}`;
    this.project(projectId);
    this.serviceAccounts.set(clientEmail, {
      clientEmail,
      clientId,
      projectId,
      disabled: false,
      publicKeys: new Map(),
    });
    return this.addServiceAccountKey(clientEmail);
  }

  /** The Cloud project (created on first use with a random project number; the Calendar API enabled). */
  project(projectId: string): FakeCloudProject {
    let project = this.projects.get(projectId);
    if (!project) {
      const projectNumber = `${randomInt(1, 10)}${Array.from({ length: 11 }, () => randomInt(0, 10)).join('')}`;
      project = { projectId, projectNumber, calendarApiEnabled: true };
      this.projects.set(projectId, project);
    }
    return project;
  }

  /** APIs & Services › Google Calendar API › Enable / Disable in a project. */
  setCalendarApi(projectId: string, enabled: boolean): FakeCloudProject {
    if (!this.projects.has(projectId)) throw new Error(`No project ${projectId}`);
    const project = this.project(projectId);
    project.calendarApiEnabled = enabled;
    return project;
  }

  /** The project of the service account behind a token's client ID (what the Calendar API bills and checks). */
  projectOfClient(clientId: string): FakeCloudProject | undefined {
    const account = [...this.serviceAccounts.values()].find((a) => a.clientId === clientId);
    return account ? this.projects.get(account.projectId) : undefined;
  }

  /** A new key for an existing service account (key rotation); older keys stay valid until deleted. */
  async addServiceAccountKey(clientEmail: string): Promise<GoogleServiceAccountJson> {
    const account = this.serviceAccounts.get(clientEmail);
    if (!account) throw new Error(`No service account ${clientEmail}`);
    const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const privateKeyId = randomBytes(20).toString('hex');
    account.publicKeys.set(privateKeyId, { pem: publicKey, disabled: false });
    return {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: privateKeyId,
      private_key: privateKey,
      client_email: clientEmail,
      client_id: account.clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: GOOGLE_TOKEN_AUDIENCE,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
      universe_domain: 'googleapis.com',
    };
  }

  deleteServiceAccountKey(clientEmail: string, privateKeyId: string): boolean {
    return this.serviceAccounts.get(clientEmail)?.publicKeys.delete(privateKeyId) ?? false;
  }

  /** Disables (or re-enables) one key: its signatures are refused with `disabled_client` until enabled. */
  setServiceAccountKeyDisabled(clientEmail: string, privateKeyId: string, disabled: boolean): boolean {
    const key = this.serviceAccounts.get(clientEmail)?.publicKeys.get(privateKeyId);
    if (key) key.disabled = disabled;
    return key !== undefined;
  }

  /** Disables (or re-enables) the service account itself. */
  setServiceAccountDisabled(clientEmail: string, disabled: boolean): boolean {
    const account = this.serviceAccounts.get(clientEmail);
    if (account) account.disabled = disabled;
    return account !== undefined;
  }

  /** Deletes the service account: its assertions are refused with "Invalid grant: account not found". */
  deleteServiceAccount(clientEmail: string): boolean {
    return this.serviceAccounts.delete(clientEmail);
  }

  /** A Workspace user with a primary calendar whose id is the email. */
  addUser(email: string, options: { timeZone?: string; suspended?: boolean } = {}): void {
    const address = email.toLowerCase();
    this.users.set(address, { email: address, suspended: options.suspended ?? false });
    if (!this.store.calendar(address)) {
      this.store.addCalendar(
        { id: address, name: address, timeZone: options.timeZone ?? 'UTC', owner: address },
        { primary: true },
      );
    }
  }

  removeUser(email: string): void {
    this.users.delete(email.toLowerCase());
  }

  /** As in Admin Console › Security › API controls › Domain-wide delegation of the Workspace owning `domain`. */
  authorizeDelegation(domain: string, clientId: string, scopes: string[]): void {
    const clients = this.delegations.get(domain.toLowerCase()) ?? new Map<string, Set<string>>();
    clients.set(clientId, new Set(scopes));
    this.delegations.set(domain.toLowerCase(), clients);
  }

  revokeDelegation(domain: string, clientId: string): void {
    this.delegations.get(domain.toLowerCase())?.delete(clientId);
  }

  clear(): void {
    this.store.clear();
    this.users.clear();
    this.serviceAccounts.clear();
    this.delegations.clear();
    this.projects.clear();
    this.freeBusyErrors.clear();
    Object.assign(this.meet, { readyAfterReads: 0, failure: false });
  }

  /**
   * freeBusy answers `calendars[calendarId].errors: [{domain, reason}]` inside its 200 for this calendar (`times`
   * answers, or until cleared): `notFound`, `internalError`, `backendError`, `groupTooBig`, … as Google does.
   */
  failFreeBusy(calendarId: string, reason: string, times?: number): void {
    this.freeBusyErrors.set(calendarId.toLowerCase(), { reason, ...(times !== undefined ? { times } : {}) });
  }

  /** The per-calendar error of this free/busy answer, if one is set (counts its use). */
  takeFreeBusyError(calendarId: string): string | undefined {
    const error = this.freeBusyErrors.get(calendarId.toLowerCase());
    if (!error) return undefined;
    if (error.times !== undefined && --error.times <= 0) this.freeBusyErrors.delete(calendarId.toLowerCase());
    return error.reason;
  }

  routes(): Route[] {
    return [route('google.token', 'POST', '/token', (req) => this.token(req)), ...googleCalendarRoutes(this)];
  }

  /** POST /token: the JWT-bearer grant, checked the way Google does before it issues a token. */
  private token(req: FakeRequest): FakeResponse {
    const form = parseForm(req);
    if (form.get('grant_type') !== JWT_BEARER) {
      fail(400, {
        error: 'unsupported_grant_type',
        error_description: `Invalid grant_type: ${form.get('grant_type') ?? ''}`,
      });
    }
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) invalidGrant('Invalid JWT: Unable to parse the assertion.');
    const [headerPart, payloadPart, signature] = parts;
    const header = decodeSegment(headerPart);
    const claims = decodeSegment(payloadPart);
    if (header.alg !== 'RS256') invalidGrant('Invalid JWT: unsupported algorithm.');

    const account = this.serviceAccounts.get(String(claims.iss));
    if (!account) invalidGrant('Invalid grant: account not found');
    // google-auth-library sends no `kid`, so the signature is checked against every key of the account.
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signer = [...account.publicKeys.values()].find((key) =>
      verify('sha256', signed, key.pem, Buffer.from(signature, 'base64url')),
    );
    if (!signer) invalidGrant('Invalid JWT Signature.');
    if (account.disabled || signer.disabled) {
      fail(400, { error: 'disabled_client', error_description: 'The OAuth client was disabled.' });
    }
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) invalidGrant('Invalid JWT: Failed audience check.');
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(iat <= now + CLOCK_SKEW_S && exp > now - CLOCK_SKEW_S && exp - iat <= MAX_ASSERTION_LIFETIME_S)) {
      invalidGrant(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scopes = (typeof claims.scope === 'string' ? claims.scope : '').split(' ').filter(Boolean);
    if (scopes.length === 0)
      fail(400, {
        error: 'invalid_scope',
        error_description: 'Invalid OAuth scope or ID token audience provided.',
      });

    const subject = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : account.clientEmail;
    if (!/^[^@\s]+@[^@\s]+$/.test(subject)) {
      fail(400, { error: 'invalid_request', error_description: 'Invalid impersonation "sub" field.' });
    }
    if (subject !== account.clientEmail) {
      const user = this.users.get(subject);
      if (!user || user.suspended) invalidGrant('Invalid email or User ID');
      const allowed = this.delegations.get(domainOf(subject))?.get(account.clientId);
      if (!allowed || !scopes.every((s) => allowed.has(s))) {
        fail(401, {
          error: 'unauthorized_client',
          error_description:
            'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        });
      }
    }
    const { token, expiresIn } = this.tokens.issue(
      { platform: 'google', subject, clientId: account.clientId, scopes },
      subject,
    );
    return json(200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
  }
}
