import { Injectable } from '@nestjs/common';
import type { MembershipRole, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

const withUser = {
  user: { select: { id: true, email: true, name: true, username: true, createdAt: true, updatedAt: true } },
} as const;
// Adds the exclusion only when there is an id, rather than relying on how Prisma reads `NOT: { id: undefined }`.
const except = (userId?: number) => (userId === undefined ? {} : { NOT: { id: userId } });

/** A membership of the organization with its user: what the org users API reads and returns. */
export type OrgUserRecord = Prisma.MembershipGetPayload<{ include: typeof withUser }>;

export interface UserChange {
  email?: string;
  name?: string;
  username?: string;
}

/** Owns the Prisma access of the org users API (membership writes that need the admin rules go through MembershipsRepository). */
@Injectable()
export class OrgUsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the user and its membership in one statement. Throws P2002 when the email or username is taken. */
  createWithMembership(
    organizationId: number,
    user: { email: string; name?: string; username?: string },
    membership: { role: MembershipRole; accepted: boolean },
  ): Promise<OrgUserRecord> {
    return this.prisma.membership.create({
      data: { ...membership, team: { connect: { id: organizationId } }, user: { create: user } },
      include: withUser,
    });
  }

  findInOrg(organizationId: number, userId: number): Promise<OrgUserRecord | null> {
    return this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId: organizationId } },
      include: withUser,
    });
  }

  listInOrg(organizationId: number, take: number, skip: number): Promise<OrgUserRecord[]> {
    return this.prisma.membership.findMany({
      where: { teamId: organizationId },
      include: withUser,
      orderBy: { userId: 'asc' },
      take,
      skip,
    });
  }

  /** Another user already has this email / username (the caller's own row does not count). */
  async emailTaken(email: string, exceptUserId?: number): Promise<boolean> {
    return (await this.prisma.user.count({ where: { email, ...except(exceptUserId) } })) > 0;
  }

  async usernameTaken(username: string, exceptUserId?: number): Promise<boolean> {
    return (await this.prisma.user.count({ where: { username, ...except(exceptUserId) } })) > 0;
  }

  /**
   * Updates the user and returns them with their membership in `organizationId` (null when that membership is
   * gone: nothing is written then). Throws P2002 on a taken email/username.
   */
  updateUser(organizationId: number, userId: number, change: UserChange): Promise<OrgUserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const member = await tx.membership.findUnique({
        where: { userId_teamId: { userId, teamId: organizationId } },
      });
      if (!member) return null;
      // A new address is not verified: it must be verified again before it can enable delegation.
      const data = change.email === undefined ? change : { ...change, emailVerified: null };
      await tx.user.update({ where: { id: userId }, data });
      return tx.membership.findUnique({ where: { id: member.id }, include: withUser });
    });
  }

  /** Every team or organization the user has a membership in (accepted or not). */
  async teamIdsOf(userId: number): Promise<number[]> {
    const rows = await this.prisma.membership.findMany({ where: { userId }, select: { teamId: true } });
    return rows.map((row) => row.teamId);
  }

  /** Every organization the user belongs to (accepted or not): an email change affects delegated access in each. */
  async organizationIdsOf(userId: number): Promise<number[]> {
    const rows = await this.prisma.membership.findMany({
      where: { userId, team: { isOrganization: true } },
      select: { teamId: true },
      orderBy: { teamId: 'asc' },
    });
    return rows.map((row) => row.teamId);
  }
}
