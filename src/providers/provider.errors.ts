/**
 * Who a provider error is about:
 * - `credential`: the organization's delegation credential as a whole (key deleted or revoked, client secret wrong
 *   or expired, domain-wide delegation entry removed, admin consent revoked, tenant or app gone, Calendar API
 *   disabled). Every member fails the same way; the credential goes `failing` and is reported once.
 * - `member`: one member's mailbox (not in the directory, no mailbox, an access policy on that mailbox, one
 *   calendar or event that cannot be reached). Only that member is affected and reported.
 * - `none`: a passing condition of the provider (throttling, an outage), or a refusal of one request's content
 *   (REQUEST_REJECTED), that says nothing about either.
 */
export type ProviderErrorScope = 'credential' | 'member' | 'none';

interface ProviderErrorKind {
  /** Permanent: a configuration problem that a retry cannot fix (not retried by jobs; the API answers 400). */
  permanent: boolean;
  /** HTTP status the API answers when a request fails with this error. */
  httpStatus: number;
  scope: ProviderErrorScope;
}

/**
 * Every error the provider layer reports, in terms an admin can act on. The classifiers
 * (src/providers/google/google-errors.ts, src/providers/microsoft/microsoft-errors.ts) map each documented refusal of
 * Google's token endpoint and Calendar API, and of Entra's token endpoint and Microsoft Graph, to one of these.
 */
export const PROVIDER_ERROR_TYPES = {
  /**
   * Google: client ID not on the domain-wide delegation allow-list for the scope (`unauthorized_client`,
   * `access_denied`). Narrowed to `member` for `admin_policy_enforced` / `org_internal`: an API access policy can be
   * set per organizational unit, so it says nothing about the other members.
   */
  CLIENT_NOT_AUTHORIZED: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Google: the key was deleted, disabled or expired in Google Cloud ("Invalid JWT Signature.", `disabled_client`). */
  KEY_REVOKED: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** The key cannot be used at all: not a usable RSA key, service account deleted ("account not found"), unknown client. */
  INVALID_KEY: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Google: the Calendar API is disabled in the service account's Cloud project (403 `accessNotConfigured`). */
  CALENDAR_API_DISABLED: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Microsoft: the client secret is wrong — often the secret's ID was stored instead of its value (AADSTS7000215). */
  INVALID_CLIENT_SECRET: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Microsoft: the client secret has expired (AADSTS7000222). */
  CLIENT_SECRET_EXPIRED: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Microsoft: no application with this client ID in the tenant (AADSTS700016), or it is disabled there (7000112). */
  APP_NOT_IN_TENANT: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** Microsoft: the tenant does not exist (AADSTS90002, 900023), or tenant_id is not a GUID or domain name. */
  TENANT_NOT_FOUND: { permanent: true, httpStatus: 400, scope: 'credential' },
  /**
   * Microsoft: admin consent for the application permissions was never granted, or was revoked (AADSTS65001, 500011;
   * Graph "Either scp or roles claim need to be present in the token.").
   */
  CONSENT_MISSING: { permanent: true, httpStatus: 400, scope: 'credential' },
  /**
   * The token works but lacks a permission for the operation: Calendar 403 `insufficientPermissions` (the delegation
   * entry has a narrower scope), Graph `Authorization_RequestDenied` or `ErrorAccessDenied` on a mailbox (a Graph
   * permission missing), Conditional Access; also 401/403 refusals with no known reason (quoted, no guessed fix).
   * Refusals aimed at one calendar are CALENDAR_NOT_ACCESSIBLE instead, and refusals of a request's content (400)
   * REQUEST_REJECTED, never this.
   */
  PERMISSION_DENIED: { permanent: true, httpStatus: 400, scope: 'credential' },
  /** The subject is not a user of the Workspace / Entra directory (`invalid_grant` invalid email, Graph user not found). */
  USER_NOT_IN_DIRECTORY: { permanent: true, httpStatus: 400, scope: 'member' },
  /** Microsoft: the user exists but has no Exchange Online mailbox (MailboxNotEnabledForRESTAPI). */
  MAILBOX_NOT_ENABLED: { permanent: true, httpStatus: 400, scope: 'member' },
  /** Microsoft: an Exchange application access policy denies the app this mailbox (ErrorAccessDenied on one mailbox). */
  ACCESS_POLICY_DENIED: { permanent: true, httpStatus: 400, scope: 'member' },
  /** One calendar (or event) of the member cannot be read or written: wrong id, not shared with them. */
  CALENDAR_NOT_ACCESSIBLE: { permanent: true, httpStatus: 400, scope: 'member' },
  /**
   * The event no longer exists at the provider: the member deleted it in their calendar (Google 410 `deleted` or 404,
   * Graph 404 `ErrorItemNotFound` on the event). About that event only: it never marks the member or the credential
   * failing. PATCH answers 404 (or re-creates the event with `recreateIfMissing: true`); DELETE treats it as done.
   */
  EVENT_GONE: { permanent: true, httpStatus: 404, scope: 'member' },
  /**
   * The provider refused the request itself, not the credential or the member: a 400 Bad Request (or another 4xx
   * such as 413 or 422) with no reason listed above — e.g. a busy-times window longer than the provider serves
   * (Graph calendarView: 1,825 days), a field value it does not accept. Quoted as the provider gave it; never a
   * verdict on the credential's or the member's access (nothing is recorded), and not retried.
   */
  REQUEST_REJECTED: { permanent: true, httpStatus: 400, scope: 'none' },
  /**
   * Google could not create the event's Meet conference (`conferenceData.createRequest.status.statusCode:
   * failure`). The event is not kept; retrying may work, or Meet is off for the member.
   */
  CONFERENCE_FAILED: { permanent: false, httpStatus: 502, scope: 'none' },
  /** 429, Calendar 403 rateLimitExceeded/userRateLimitExceeded, Graph ApplicationThrottled/MailboxConcurrency. */
  RATE_LIMITED: { permanent: false, httpStatus: 503, scope: 'none' },
  /**
   * 5xx, network errors (the message names the host and the system error), timeouts, paging that never ends, and
   * Google refusing this server's clock (not the key).
   */
  PROVIDER_UNAVAILABLE: { permanent: false, httpStatus: 502, scope: 'none' },
} as const satisfies Record<string, ProviderErrorKind>;

export type ProviderErrorType = keyof typeof PROVIDER_ERROR_TYPES;

/**
 * An HTTP 4xx answer of a provider API that is about the request itself: not authentication or access (401, 403), a missing resource (404, 410),
 * throttling (429), a timeout (408) or a conflict (409, 412).
 */
export const isRequestRefusal = (status: number): boolean =>
  status >= 400 && status < 500 && ![401, 403, 404, 408, 409, 410, 412, 429].includes(status);

/**
 * The only error the provider layer throws. `permanent` errors are configuration problems (not retried; the member
 * or credential is marked failing, the API answers 400); transient ones are retried by jobs and answered 502/503 by
 * the API. `scope` says whether the whole credential or one member is at fault (see ProviderErrorScope); it defaults
 * to the type's and can be narrowed per error by a classifier that knows better. Messages never contain key material.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly permanent: boolean;
  readonly httpStatus: number;
  readonly scope: ProviderErrorScope;

  constructor(
    readonly type: ProviderErrorType,
    message: string,
    readonly platform: 'google' | 'office365',
    /** How long the provider asked us to wait before retrying (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    scope?: ProviderErrorScope,
  ) {
    super(message);
    this.permanent = PROVIDER_ERROR_TYPES[type].permanent;
    this.httpStatus = PROVIDER_ERROR_TYPES[type].httpStatus;
    this.scope = scope ?? PROVIDER_ERROR_TYPES[type].scope;
  }
}
