import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppRequest } from '../../common/http/request-context';
import { AuthRepository } from '../auth.repository';
import { Pbac } from '../decorators/auth.decorators';
import { membershipFor } from './org-access';

/**
 * Permission-based access: in an organization with PBAC enabled, an accepted member whose custom role grants every
 * permission of the route's @Pbac passes, and RolesGuard skips its role check. It never denies by itself: without
 * the permission the role check decides (Cal.com's semantics).
 */
@Injectable()
export class PbacGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permissions = this.reflector.getAllAndOverride(Pbac, [context.getHandler(), context.getClass()]);
    if (!permissions?.length) return true;
    const request = context.switchToHttp().getRequest<AppRequest>();
    if (!request.user)
      throw new UnauthorizedException('PbacGuard - the request does not have an authorized user provided');
    const org = request.organization;
    if (!org?.pbacEnabled) return true;

    const membership = await membershipFor(request, request.user.id, org.id, this.auth);
    const granted = membership?.accepted ? membership.permissions : [];
    if (permissions.every((permission) => granted.includes(permission))) request.pbacAuthorizedRequest = true;
    return true;
  }
}
