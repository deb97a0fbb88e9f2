import { ForbiddenException, Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/http/request-context';
import type { MembershipRole } from '../generated/prisma/client';
import { MembershipsRepository } from './memberships.repository';

/**
 * Rules on who may touch owners, on top of the route's ORG_ADMIN requirement: only an accepted owner (or a system
 * admin) may grant the OWNER role or change, edit or remove an owner. Without it any admin could make themselves
 * owner, or take over an owner's account by changing its email.
 */
@Injectable()
export class OrgRolePolicy {
  constructor(private readonly memberships: MembershipsRepository) {}

  /** `roles`: the roles involved in the change (the target's current role, the requested one). */
  async assertMayManage(
    organizationId: number,
    actor: AuthUser,
    roles: readonly (MembershipRole | undefined)[],
  ): Promise<void> {
    if (!roles.includes('OWNER') || actor.isSystemAdmin) return;
    const own = await this.memberships.findRoleOf(organizationId, actor.id);
    if (own?.accepted && own.role === 'OWNER') return;
    throw new ForbiddenException(
      `Only an owner of organization ${organizationId} can grant the OWNER role or change an owner's membership.`,
    );
  }
}
