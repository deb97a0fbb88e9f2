import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppRequest } from '../../common/http/request-context';
import { MembershipRole } from '../../generated/prisma/client';
import { AuthRepository } from '../auth.repository';
import { type OrgRole, Roles } from '../decorators/auth.decorators';
import { membershipFor } from './org-access';

const RANK: Record<MembershipRole, number> = { MEMBER: 1, ADMIN: 2, OWNER: 3 };
const REQUIRED_RANK: Record<OrgRole, number> = { ORG_MEMBER: 1, ORG_ADMIN: 2, ORG_OWNER: 3 };

/**
 * Minimum organization role (OWNER > ADMIN > MEMBER). A system admin passes; a PBAC-authorized request passes;
 * a membership that is still pending (accepted=false) does not count.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride(Roles, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<AppRequest>();
    if (request.pbacAuthorizedRequest) return true;
    const user = request.user;
    const org = request.organization;
    if (!user || !org)
      throw new ForbiddenException('RolesGuard - no authenticated user or organization on the request.');
    if (user.isSystemAdmin) return true;

    const membership = await membershipFor(request, user.id, org.id, this.auth);
    if (!membership) {
      throw new ForbiddenException(
        `RolesGuard - User is not a member of the organization with id=${org.id}.`,
      );
    }
    if (!membership.accepted) {
      throw new ForbiddenException(
        `RolesGuard - membership of user with id=${user.id} in organization with id=${org.id} is not accepted yet.`,
      );
    }
    if (RANK[membership.role] < REQUIRED_RANK[required]) {
      throw new ForbiddenException(
        `RolesGuard - user with id=${user.id} does not have the minimum required role=${required} within organization with id=${org.id}.`,
      );
    }
    return true;
  }
}
