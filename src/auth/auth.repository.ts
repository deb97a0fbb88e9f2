import { Injectable } from '@nestjs/common';
import type { MembershipRole } from '../generated/prisma/client';
import { preparedQuery } from '../prisma/prepared-query';
import { PrismaService } from '../prisma/prisma.service';
import type { ResolvedPrincipal } from './principal';

/** One row of either principal query: the credential's own columns, then user, organization, membership. */
interface PrincipalRow {
  credentialId: string;
  expiresAt: Date | null;
  secretHash: string | null;
  authOrganizationId: number | null;
  userId: number | null;
  email: string | null;
  name: string | null;
  userRole: string | null;
  emailVerified: boolean | null;
  orgId: number | null;
  slug: string | null;
  isOrganization: boolean | null;
  isPlatform: boolean | null;
  platformBillingPlan: string | null;
  adminApiEnabled: boolean | null;
  pbacEnabled: boolean | null;
  memberRole: MembershipRole | null;
  accepted: boolean | null;
  customRoleId: number | null;
  permissions: string[] | null;
}

/** The organization of the path ($2, may be null) and the user's membership in it, joined to a resolved user `u`. */
const ORG_AND_MEMBERSHIP_COLUMNS = `
  t.id AS "orgId", t.slug, t."isOrganization", t."isPlatform", t."platformBillingPlan"::text AS "platformBillingPlan",
  t."adminApiEnabled", t."pbacEnabled",
  m.role::text AS "memberRole", m.accepted, m."customRoleId", r.permissions`;
const ORG_AND_MEMBERSHIP_JOINS = `
  LEFT JOIN "Team" t ON t.id = $2
  LEFT JOIN "Membership" m ON m."userId" = u.id AND m."teamId" = $2
  LEFT JOIN "Role" r ON r.id = m."customRoleId"`;
const USER_COLUMNS = `u.id AS "userId", u.email, u.name, u.role::text AS "userRole",
  u."emailVerified" IS NOT NULL AS "emailVerified"`;

/** An API key (by the SHA-256 of its secret part) → its user, and their membership in / the flags of org $2. */
const API_KEY_PRINCIPAL = preparedQuery<PrincipalRow, [hashedKey: string, orgId: number | null]>(
  'auth_api_key_principal',
  `SELECT k.id AS "credentialId", k."expiresAt" AT TIME ZONE 'UTC' AS "expiresAt", NULL::text AS "secretHash",
          k."teamId" AS "authOrganizationId", ${USER_COLUMNS}, ${ORG_AND_MEMBERSHIP_COLUMNS}
   FROM "ApiKey" k
   JOIN "User" u ON u.id = k."userId"
   ${ORG_AND_MEMBERSHIP_JOINS}
   WHERE k."hashedKey" = $1`,
);

/**
 * A platform OAuth client → the user it acts as (its organization's accepted OWNER, else ADMIN, lowest membership id
 * first: Cal.com's platform owner), and that user's membership in / the flags of org $2.
 */
const OAUTH_CLIENT_PRINCIPAL = preparedQuery<PrincipalRow, [clientId: string, orgId: number | null]>(
  'auth_oauth_client_principal',
  `SELECT c.id AS "credentialId", NULL::timestamptz AS "expiresAt", c."secretHash",
          c."organizationId" AS "authOrganizationId", ${USER_COLUMNS}, ${ORG_AND_MEMBERSHIP_COLUMNS}
   FROM "PlatformOAuthClient" c
   LEFT JOIN LATERAL (
     SELECT au.* FROM "Membership" am JOIN "User" au ON au.id = am."userId"
     WHERE am."teamId" = c."organizationId" AND am.accepted AND am.role IN ('OWNER', 'ADMIN')
     ORDER BY am.role = 'OWNER' DESC, am.id ASC
     LIMIT 1
   ) u ON true
   ${ORG_AND_MEMBERSHIP_JOINS}
   WHERE c.id = $1`,
);

function toPrincipal(row: PrincipalRow, method: ResolvedPrincipal['method'], orgId: number | null) {
  const principal: ResolvedPrincipal = {
    method,
    credentialId: row.credentialId,
    expiresAt: row.expiresAt,
    secretHash: row.secretHash,
    authOrganizationId: row.authOrganizationId,
    user:
      row.userId === null
        ? null
        : {
            id: row.userId,
            email: row.email!,
            name: row.name,
            isSystemAdmin: row.userRole === 'ADMIN',
            emailVerified: row.emailVerified === true,
          },
    orgId,
    organization:
      row.orgId === null
        ? null
        : {
            id: row.orgId,
            slug: row.slug!,
            isOrganization: row.isOrganization === true,
            isPlatform: row.isPlatform === true,
            platformBillingPlan: row.platformBillingPlan,
            adminApiEnabled: row.adminApiEnabled === true,
            pbacEnabled: row.pbacEnabled === true,
          },
    membership:
      row.memberRole === null
        ? null
        : {
            role: row.memberRole,
            accepted: row.accepted === true,
            customRoleId: row.customRoleId,
            permissions: row.permissions ?? [],
          },
  };
  return principal;
}

/** Database reads and writes of authentication: one prepared statement per request, usage stamps in batches. */
@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The principal of an API key for a request on organization `orgId` (null: no org in the path). */
  async resolveApiKey(hashedKey: string, orgId: number | null): Promise<ResolvedPrincipal | null> {
    const [row] = await this.prisma.run(API_KEY_PRINCIPAL, [hashedKey, orgId]);
    return row ? toPrincipal(row, 'api-key', orgId) : null;
  }

  /** The principal of a platform OAuth client for a request on organization `orgId`. */
  async resolveOAuthClient(clientId: string, orgId: number | null): Promise<ResolvedPrincipal | null> {
    const [row] = await this.prisma.run(OAUTH_CLIENT_PRINCIPAL, [clientId, orgId]);
    return row ? toPrincipal(row, 'oauth-client', orgId) : null;
  }

  /** A membership with its custom role's permissions (guards on requests that were not resolved with their org). */
  findMembership(userId: number, teamId: number) {
    return this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId } },
      select: {
        role: true,
        accepted: true,
        customRoleId: true,
        customRole: { select: { permissions: true } },
      },
    });
  }

  findTeam(id: number) {
    return this.prisma.team.findUnique({
      where: { id },
      select: {
        id: true,
        slug: true,
        isOrganization: true,
        isPlatform: true,
        platformBillingPlan: true,
        adminApiEnabled: true,
        pbacEnabled: true,
      },
    });
  }

  /**
   * Sets `lastUsedAt` of many keys in one statement, never moving a stamp backwards. The column is not watched by
   * the invalidation triggers, so this does not evict cached principals.
   */
  async touchApiKeys(usage: ReadonlyMap<string, Date>): Promise<void> {
    if (!usage.size) return;
    const ids = [...usage.keys()];
    const stamps = ids.map((id) => usage.get(id)!.toISOString());
    await this.prisma.$executeRaw`
      UPDATE "ApiKey" k SET "lastUsedAt" = v.at
      FROM (SELECT unnest(${ids}::text[]) AS id, unnest(${stamps}::timestamptz[]) AT TIME ZONE 'UTC' AS at) v
      WHERE k.id = v.id AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" < v.at)`;
  }
}
