import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiAuthGuard } from './api-auth.guard';
import { IsAdminApiEnabledGuard } from './is-admin-api-enabled.guard';
import { IsOrgGuard } from './is-org.guard';
import { PbacGuard } from './pbac.guard';
import { PlatformPlanGuard } from './platform-plan.guard';
import { RolesGuard } from './roles.guard';

/** The guard chain of every `/v2/organizations/{orgId}/…` controller, in Cal.com's order. */
export const ORG_GUARD_CHAIN = [
  ApiAuthGuard,
  IsOrgGuard,
  PbacGuard,
  RolesGuard,
  PlatformPlanGuard,
  IsAdminApiEnabledGuard,
] as const;

/** Declares ORG_GUARD_CHAIN on a controller; routes then configure it with @Roles / @Pbac / @PlatformPlan. */
export const OrgGuards = (): ClassDecorator => applyDecorators(UseGuards(...ORG_GUARD_CHAIN));
