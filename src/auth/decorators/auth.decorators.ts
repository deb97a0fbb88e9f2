import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppRequest, AuthUser } from '../../common/http/request-context';

export const ORG_ROLES = ['ORG_MEMBER', 'ORG_ADMIN', 'ORG_OWNER'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** PBAC permission strings (`resource.action`) used by this service. */
export type PermissionString =
  | 'organization.update'
  | 'organization.listMembers'
  | 'organization.invite'
  | 'organization.changeMemberRole'
  | 'organization.remove';

export const PLATFORM_PLANS = ['FREE', 'STARTER', 'ESSENTIALS', 'SCALE', 'ENTERPRISE'] as const;
export type PlatformPlanName = (typeof PLATFORM_PLANS)[number];

/** Minimum organization role of a route. */
export const Roles = Reflector.createDecorator<OrgRole>();
/** Permissions that, in an org with PBAC enabled, grant access without the role. */
export const Pbac = Reflector.createDecorator<PermissionString[]>();
/** Minimum platform billing plan (platform organizations only). */
export const PlatformPlan = Reflector.createDecorator<PlatformPlanName>();

/** The authenticated user (set by ApiAuthGuard). */
export const GetUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<AppRequest>().user;
  if (!user) throw new Error('GetUser used on a route without ApiAuthGuard');
  return user;
});
