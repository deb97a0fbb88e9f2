import { randomBytes } from 'node:crypto';
import { generateApiKey, generateSecret, sha256Hex } from '../../src/auth/secrets';
import type { MembershipRole, PlatformPlan } from '../../src/generated/prisma/client';
import type { PrismaService } from '../../src/prisma/prisma.service';

export const uniq = (): string => randomBytes(4).toString('hex');

/** The Authorization header of an API key. */
export const bearer = (apiKey: string) => ({ Authorization: `Bearer ${apiKey}` });

export interface OrgOptions {
  isOrganization?: boolean;
  isPlatform?: boolean;
  platformBillingPlan?: PlatformPlan | null;
  adminApiEnabled?: boolean;
  pbacEnabled?: boolean;
}

/** Small helpers that write test data straight through Prisma, with random suffixes so files never collide. */
export class Fixtures {
  constructor(private readonly prisma: PrismaService) {}

  user(email = `user-${uniq()}@example.com`, role: 'USER' | 'ADMIN' = 'USER') {
    return this.prisma.user.create({
      data: { email: email.toLowerCase(), name: email.split('@')[0], role, emailVerified: new Date() },
    });
  }

  org(options: OrgOptions = {}) {
    const slug = `org-${uniq()}`;
    return this.prisma.team.create({
      data: {
        name: slug,
        slug,
        isOrganization: options.isOrganization ?? true,
        isPlatform: options.isPlatform ?? false,
        platformBillingPlan: options.platformBillingPlan ?? null,
        adminApiEnabled: options.adminApiEnabled ?? true,
        pbacEnabled: options.pbacEnabled ?? false,
      },
    });
  }

  membership(
    userId: number,
    teamId: number,
    role: MembershipRole = 'MEMBER',
    accepted = true,
    customRoleId?: number,
  ) {
    return this.prisma.membership.create({ data: { userId, teamId, role, accepted, customRoleId } });
  }

  customRole(teamId: number, permissions: string[]) {
    return this.prisma.role.create({ data: { teamId, name: `role-${uniq()}`, permissions } });
  }

  async apiKey(userId: number, options: { expiresAt?: Date | null; teamId?: number } = {}): Promise<string> {
    const { key, hashedKey } = generateApiKey('cal_');
    await this.prisma.apiKey.create({
      data: { hashedKey, userId, teamId: options.teamId, expiresAt: options.expiresAt ?? null },
    });
    return key;
  }

  async oauthClient(organizationId: number): Promise<{ id: string; secret: string }> {
    const id = `client-${uniq()}`;
    const secret = generateSecret();
    await this.prisma.platformOAuthClient.create({
      data: { id, name: id, secretHash: sha256Hex(secret), organizationId },
    });
    return { id, secret };
  }

  /** An organization with an accepted admin (email in `domain`), that admin's API key and its `auth` header. */
  async orgWithAdmin(options: OrgOptions & { domain?: string; role?: MembershipRole } = {}) {
    const org = await this.org(options);
    const admin = await this.user(`admin-${uniq()}@${options.domain ?? 'example.com'}`);
    await this.membership(admin.id, org.id, options.role ?? 'ADMIN', true);
    const apiKey = await this.apiKey(admin.id, { teamId: org.id });
    return { org, admin, apiKey, auth: bearer(apiKey) };
  }
}
