import type { MembershipRole } from '../generated/prisma/client';
import type { AuthMethod, AuthUser } from '../common/http/request-context';

/** The flags of an organization the guards check (IsOrg, PlatformPlan, AdminAPI, PBAC). */
export interface PrincipalOrganization {
  id: number;
  slug: string;
  isOrganization: boolean;
  isPlatform: boolean;
  platformBillingPlan: string | null;
  adminApiEnabled: boolean;
  pbacEnabled: boolean;
}

/** The caller's membership in the organization of the path (Roles, PBAC). */
export interface PrincipalMembership {
  role: MembershipRole;
  accepted: boolean;
  customRoleId: number | null;
  /** PBAC permissions of the membership's custom role (empty without one). */
  permissions: string[];
}

/**
 * Everything authentication and the organization guard chain need about a request, resolved in one query from the
 * API key hash (or OAuth client id) and the path's `orgId`: the credential, the user it acts as, and that user's
 * membership in the organization plus the organization's flags. Cached per (credential, orgId); see PrincipalCache.
 */
export interface ResolvedPrincipal {
  method: AuthMethod;
  /** The API key's id, or the OAuth client's id. */
  credentialId: string;
  /** API keys: expiry instant (checked on every request, also from the cache). */
  expiresAt: Date | null;
  /** OAuth clients: SHA-256 (hex) of the secret, compared in constant time on every request. */
  secretHash: string | null;
  /** Organization the credential is tied to (org API key's team, OAuth client's org), if any. */
  authOrganizationId: number | null;
  /** The acting user; null for an OAuth client whose organization has no accepted owner or admin. */
  user: AuthUser | null;
  /** The `orgId` of the path this was resolved for (null: the route has none, or it is not a valid id). */
  orgId: number | null;
  /** That team, or null when no team has that id. */
  organization: PrincipalOrganization | null;
  /** The user's membership in it, or null. */
  membership: PrincipalMembership | null;
}

/**
 * Invalidation tags. A cached principal carries the tags of every row it was built from; the database triggers of
 * migration `auth_principal_notify` send the same tags (newline separated, `*` = everything) on channel
 * AUTH_CHANGES_CHANNEL when such a row changes, and the cache drops every entry carrying one of them.
 *
 * - `k:<hashedKey>` an API key (updated or deleted)
 * - `c:<clientId>` an OAuth client
 * - `u:<userId>` a user (email, name, role, verification; deletion)
 * - `t:<teamId>` a team (created, flags changed, deleted)
 * - `m:<userId>:<teamId>` a membership (created, role/accepted/custom role changed, deleted)
 * - `co:<teamId>` any membership of a team: the user an OAuth client of that team acts as may change
 * - `r:<roleId>` a custom role's permissions
 */
export const AUTH_CHANGES_CHANNEL = 'auth_principal_changed';

export function principalTags(cacheKeyTag: string, principal: ResolvedPrincipal): string[] {
  const tags = [cacheKeyTag];
  if (principal.method === 'oauth-client' && principal.authOrganizationId !== null)
    tags.push(`co:${principal.authOrganizationId}`);
  if (principal.user) tags.push(`u:${principal.user.id}`);
  if (principal.orgId !== null) {
    tags.push(`t:${principal.orgId}`);
    if (principal.user) tags.push(`m:${principal.user.id}:${principal.orgId}`);
  }
  if (principal.membership?.customRoleId) tags.push(`r:${principal.membership.customRoleId}`);
  return tags;
}
