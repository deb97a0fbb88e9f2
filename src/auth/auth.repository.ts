import { Injectable } from '@nestjs/common';
import { MembershipRole } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

const userSelect = { id: true, email: true, name: true, role: true, emailVerified: true } as const;

/** Database reads of the authentication and authorization guards. */
@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  findApiKeyByHash(hashedKey: string) {
    return this.prisma.apiKey.findUnique({
      where: { hashedKey },
      select: { id: true, expiresAt: true, teamId: true, user: { select: userSelect } },
    });
  }

  findOAuthClient(id: string) {
    return this.prisma.platformOAuthClient.findUnique({
      where: { id },
      select: { id: true, secretHash: true, organizationId: true },
    });
  }

  /** The user an OAuth client acts as: the org's accepted OWNER, else its accepted ADMIN (lowest id first). */
  async findPlatformActor(organizationId: number) {
    for (const role of [MembershipRole.OWNER, MembershipRole.ADMIN]) {
      const membership = await this.prisma.membership.findFirst({
        where: { teamId: organizationId, role, accepted: true },
        orderBy: { id: 'asc' },
        select: { user: { select: userSelect } },
      });
      if (membership) return membership.user;
    }
    return null;
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

  findMembership(userId: number, teamId: number) {
    return this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId } },
      select: { role: true, accepted: true, customRole: { select: { permissions: true } } },
    });
  }

  touchApiKey(id: string): Promise<unknown> {
    return this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }
}
