import type { Request } from 'express';
import type { ResolvedPrincipal } from '../../auth/principal';

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
  /**
   * What ApiAuthGuard resolved in its one query (cached): the credential, its user, and for the path's orgId the
   * organization's flags and the user's membership. The organization guards read it instead of the database.
   */
  principal?: ResolvedPrincipal;
  /** Set by PbacGuard when a permission grants access; RolesGuard then skips its check. */
  pbacAuthorizedRequest?: boolean;
}
