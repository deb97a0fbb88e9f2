import type { Request } from 'express';

export type AuthMethod = 'api-key' | 'oauth-client';

/** The authenticated caller, as the guards leave it on the request. */
export interface AuthUser {
  id: number;
  email: string;
  name: string | null;
  isSystemAdmin: boolean;
  /** Whether the user's email address is verified (required to enable a delegation credential). */
  emailVerified: boolean;
}

/** The organization loaded by IsOrgGuard. */
export interface RequestOrganization {
  id: number;
  slug: string;
  isPlatform: boolean;
  platformBillingPlan: string | null;
  adminApiEnabled: boolean;
  pbacEnabled: boolean;
}

export interface AppRequest extends Request {
  requestId: string;
  user?: AuthUser;
  authMethod?: AuthMethod;
  /** Organization the credentials are tied to (org API key's team, OAuth client's org), if any. */
  authOrganizationId?: number | null;
  organization?: RequestOrganization;
  /** Set by PbacGuard when a permission grants access; RolesGuard then skips its check. */
  pbacAuthorizedRequest?: boolean;
}
