import { Injectable } from '@nestjs/common';
import type { MembershipRole, Prisma } from '../generated/prisma/client';
import { MemberEventsService } from '../lifecycle/member-events.service';
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

/**
 * Owns the Prisma access of the org users API (membership writes that need the admin rules go through
 * MembershipsRepository). Writes that move delegated calendar access record the member's sync job in their own
 * transaction (MemberEventsService).
 */
@Injectable()
export class OrgUsersRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: MemberEventsService,
  ) {}

  /**
   * Creates the user and its membership, with the member's sync job, in one transaction. Throws P2002 when the email
   * or username is taken.
   */
  createWithMembership(
    organizationId: number,
    user: { email: string; name?: string; username?: string },
    membership: { role: MembershipRole; accepted: boolean },
  ): Promise<OrgUserRecord> {
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.membership.create({
        data: { ...membership, team: { connect: { id: organizationId } }, user: { create: user } },
        include: withUser,
      });
      await this.events.memberChanged(tx, organizationId, created.userId, created.updatedAt);
      return created;
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
   * gone: nothing is written then). A new email records the member's sync job in every organization they belong
   * to. Throws P2002 on a taken email/username.
   */
  updateUser(organizationId: number, userId: number, change: UserChange): Promise<OrgUserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const member = await tx.membership.findUnique({
        where: { userId_teamId: { userId, teamId: organizationId } },
      });
      if (!member) return null;
      // A new address is not verified: it must be verified again before it can enable delegation.
      const data = change.email === undefined ? change : { ...change, emailVerified: null };
      const updated = await tx.user.update({ where: { id: userId }, data });
      if (change.email !== undefined) {
        // One account, so the new domain matters in every organization the user belongs to, not only this one.
        const organizations = await tx.membership.findMany({
          where: { userId, team: { isOrganization: true } },
          select: { teamId: true },
          orderBy: { teamId: 'asc' },
        });
        for (const { teamId } of organizations)
          await this.events.memberChanged(tx, teamId, userId, updated.updatedAt);
      }
      return tx.membership.findUnique({ where: { id: member.id }, include: withUser });
    });
  }

  /** Every team or organization the user has a membership in (accepted or not). */
  async teamIdsOf(userId: number): Promise<number[]> {
    const rows = await this.prisma.membership.findMany({ where: { userId }, select: { teamId: true } });
    return rows.map((row) => row.teamId);
  }
}
