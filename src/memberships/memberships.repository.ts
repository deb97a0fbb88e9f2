import { Injectable } from '@nestjs/common';
import type { MembershipRole, Prisma } from '../generated/prisma/client';
import { MemberEventsService } from '../lifecycle/member-events.service';
import { PrismaService } from '../prisma/prisma.service';

const withUser = { user: { select: { email: true, username: true, name: true } } } as const;
export type MembershipRecord = Prisma.MembershipGetPayload<{ include: typeof withUser }>;

export interface MembershipChange {
  accepted?: boolean;
  role?: MembershipRole;
  disableImpersonation?: boolean;
}

/** Which membership of the organization: by membership id, or by the member's user id. */
export type MembershipTarget = { id: number } | { userId: number };

/** Thrown inside a guarded write that would leave the organization without an accepted owner or admin. */
export class LastOrgAdminError extends Error {}

/** Thrown inside a guarded write that would take away the organization's last accepted owner. */
export class LastOrgOwnerError extends Error {}

const MANAGING_ROLES: MembershipRole[] = ['ADMIN', 'OWNER'];
const isManager = (m: { role: MembershipRole; accepted: boolean }): boolean =>
  m.accepted && MANAGING_ROLES.includes(m.role);
const isOwner = (m: { role: MembershipRole; accepted: boolean }): boolean => m.accepted && m.role === 'OWNER';

/**
 * Owns every Prisma access to organization memberships. Every read and write is scoped to the organization, so
 * another organization's membership is indistinguishable from a missing one. Every write that can move delegated
 * calendar access records the member's sync job in its own transaction (MemberEventsService).
 */
@Injectable()
export class MembershipsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: MemberEventsService,
  ) {}

  findInOrg(organizationId: number, target: MembershipTarget): Promise<MembershipRecord | null> {
    return this.prisma.membership.findFirst({
      where: { teamId: organizationId, ...target },
      include: withUser,
    });
  }

  listInOrg(organizationId: number, take: number, skip: number): Promise<MembershipRecord[]> {
    return this.prisma.membership.findMany({
      where: { teamId: organizationId },
      include: withUser,
      orderBy: { id: 'asc' },
      take,
      skip,
    });
  }

  async userExists(userId: number): Promise<boolean> {
    return (await this.prisma.user.count({ where: { id: userId } })) > 0;
  }

  /** The caller's own role in the organization (for the owner-only rules). */
  findRoleOf(
    organizationId: number,
    userId: number,
  ): Promise<{ role: MembershipRole; accepted: boolean } | null> {
    return this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId: organizationId } },
      select: { role: true, accepted: true },
    });
  }

  /**
   * Creates the membership with the member's sync job (even a pending membership: the job decides, and only
   * provisions accepted members). Throws P2002 when the user is already a member, P2003 when the user does not
   * exist (any more).
   */
  create(
    organizationId: number,
    data: { userId: number; role: MembershipRole; accepted: boolean; disableImpersonation: boolean },
  ): Promise<MembershipRecord> {
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.membership.create({
        data: { ...data, teamId: organizationId },
        include: withUser,
      });
      await this.events.memberChanged(tx, organizationId, created.userId, created.updatedAt);
      return created;
    });
  }

  /**
   * Applies a change under the organization's admin lock, with the member's sync job when `accepted` or `role`
   * changed. Returns the row before and after (both read inside the transaction), or null when the membership is
   * gone.
   * Throws LastOrgOwnerError when the change would demote or un-accept the last accepted owner, and
   * LastOrgAdminError when it would demote or un-accept the last accepted owner/admin (organizations that predate
   * the owner rule may have admins only).
   */
  update(
    organizationId: number,
    id: number,
    change: MembershipChange,
  ): Promise<{ before: MembershipRecord; after: MembershipRecord } | null> {
    return this.prisma.$transaction(async (tx) => {
      await this.lockAdmins(tx, organizationId);
      const before = await tx.membership.findFirst({
        where: { id, teamId: organizationId },
        include: withUser,
      });
      if (!before) return null;
      const next = { role: change.role ?? before.role, accepted: change.accepted ?? before.accepted };
      if (isOwner(before) && !isOwner(next)) await this.assertAnotherOwner(tx, organizationId, id);
      if (isManager(before) && !isManager(next)) await this.assertAnotherAdmin(tx, organizationId, id);
      const after = await tx.membership.update({ where: { id }, data: change, include: withUser });
      // accepted decides delegated access; role is reported too so the job, not this endpoint, stays the one place
      // that decides what a membership change means. disableImpersonation alone does not matter to delegation.
      if (before.accepted !== after.accepted || before.role !== after.role)
        await this.events.memberChanged(tx, organizationId, after.userId, after.updatedAt);
      return { before, after };
    });
  }

  /**
   * Deletes a membership under the organization's admin lock, with the member's sync job, and returns the removed
   * row, or null when it is gone. Throws LastOrgOwnerError when it is the last accepted owner, LastOrgAdminError when it is the last
   * accepted owner/admin.
   */
  remove(organizationId: number, target: MembershipTarget): Promise<MembershipRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      await this.lockAdmins(tx, organizationId);
      const row = await tx.membership.findFirst({
        where: { teamId: organizationId, ...target },
        include: withUser,
      });
      if (!row) return null;
      if (isOwner(row)) await this.assertAnotherOwner(tx, organizationId, row.id);
      if (isManager(row)) await this.assertAnotherAdmin(tx, organizationId, row.id);
      await tx.membership.delete({ where: { id: row.id } });
      await this.events.memberRemoved(tx, organizationId, row.userId);
      return row;
    });
  }

  /**
   * Serializes changes that can remove an organization's managers: without it, two concurrent demotions of the last
   * two admins would each see the other one and both succeed.
   */
  private async lockAdmins(tx: Prisma.TransactionClient, organizationId: number): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`org-admins:${organizationId}`}))`;
  }

  private async assertAnotherOwner(tx: Prisma.TransactionClient, organizationId: number, exceptId: number) {
    const others = await tx.membership.count({
      where: { teamId: organizationId, accepted: true, role: 'OWNER', NOT: { id: exceptId } },
    });
    if (others === 0) throw new LastOrgOwnerError();
  }

  private async assertAnotherAdmin(tx: Prisma.TransactionClient, organizationId: number, exceptId: number) {
    const others = await tx.membership.count({
      where: { teamId: organizationId, accepted: true, role: { in: MANAGING_ROLES }, NOT: { id: exceptId } },
    });
    if (others === 0) throw new LastOrgAdminError();
  }
}
