import { MAX_INT4 } from '../../common/http/id-param';
import type { AppRequest } from '../../common/http/request-context';
import type { AuthRepository } from '../auth.repository';
import type { PrincipalMembership, PrincipalOrganization } from '../principal';

/**
 * The path's `orgId` when it is a valid id, else null. Lenient on purpose: authentication runs first and must not
 * answer 400; IsOrgGuard rejects a malformed orgId afterwards.
 */
export function pathOrgId(request: AppRequest): number | null {
  const raw = (request.params as Record<string, string | undefined> | undefined)?.orgId;
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= MAX_INT4 ? id : null;
}

/** The organization `orgId` as ApiAuthGuard resolved it, or from the database when it was not resolved with it. */
export async function organizationFor(
  request: AppRequest,
  orgId: number,
  auth: AuthRepository,
): Promise<PrincipalOrganization | null> {
  const principal = request.principal;
  if (principal && principal.orgId === orgId) return principal.organization;
  return auth.findTeam(orgId);
}

/** The user's membership in `orgId`, from ApiAuthGuard's resolution when it covers that org, else the database. */
export async function membershipFor(
  request: AppRequest,
  userId: number,
  orgId: number,
  auth: AuthRepository,
): Promise<PrincipalMembership | null> {
  const principal = request.principal;
  if (principal && principal.orgId === orgId && principal.user?.id === userId) return principal.membership;
  const row = await auth.findMembership(userId, orgId);
  if (!row) return null;
  return {
    role: row.role,
    accepted: row.accepted,
    customRoleId: row.customRoleId,
    permissions: row.customRole?.permissions ?? [],
  };
}
