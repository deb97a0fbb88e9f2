/** What went wrong with a provider call, in terms an admin can act on. */
export const PROVIDER_ERROR_TYPES = {
  /** Google: client ID not on the domain-wide delegation allow-list for the scope (`unauthorized_client`). */
  CLIENT_NOT_AUTHORIZED: { permanent: true, httpStatus: 400 },
  /** The subject is not a user of the Workspace / Entra directory (`invalid_grant`, Graph user not found). */
  USER_NOT_IN_DIRECTORY: { permanent: true, httpStatus: 400 },
  /** Wrong private key / client secret, or unknown client (`invalid_grant` bad signature, `invalid_client`). */
  INVALID_KEY: { permanent: true, httpStatus: 400 },
  /** Microsoft tenant id unknown, or the app is not in / not consented in the tenant. */
  TENANT_NOT_FOUND: { permanent: true, httpStatus: 400 },
  /** Token works but the app lacks a permission (Graph 403, Calendar 403 insufficientPermissions). */
  PERMISSION_DENIED: { permanent: true, httpStatus: 400 },
  /** 429, or Calendar 403 rateLimitExceeded; `retryAfterMs` when the provider said. */
  RATE_LIMITED: { permanent: false, httpStatus: 503 },
  /** 5xx, network errors, timeouts. */
  PROVIDER_UNAVAILABLE: { permanent: false, httpStatus: 502 },
} as const;

export type ProviderErrorType = keyof typeof PROVIDER_ERROR_TYPES;

/**
 * The only error the provider layer throws. `permanent` errors are configuration problems (not retried; the member
 * is marked failing, the API answers 400); transient ones are retried by jobs and answered 502/503 by the API.
 * Messages never contain key material.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly permanent: boolean;
  readonly httpStatus: number;

  constructor(
    readonly type: ProviderErrorType,
    message: string,
    readonly platform: 'google' | 'office365',
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.permanent = PROVIDER_ERROR_TYPES[type].permanent;
    this.httpStatus = PROVIDER_ERROR_TYPES[type].httpStatus;
  }
}
