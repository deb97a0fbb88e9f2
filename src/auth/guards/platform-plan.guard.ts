import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppRequest } from '../../common/http/request-context';
import { PLATFORM_PLANS, PlatformPlan, type PlatformPlanName } from '../decorators/auth.decorators';

/** Platform organizations need at least the route's @PlatformPlan; other organizations always pass. */
@Injectable()
export class PlatformPlanGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride(PlatformPlan, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const org = context.switchToHttp().getRequest<AppRequest>().organization;
    if (!org)
      throw new ForbiddenException('PlatformPlanGuard - No organization associated with the request.');
    if (!org.isPlatform) return true;
    const plan = org.platformBillingPlan as PlatformPlanName | null;
    if (!plan) {
      throw new ForbiddenException(
        `PlatformPlanGuard - No platform subscription found for organization with id=${org.id}.`,
      );
    }
    if (PLATFORM_PLANS.indexOf(plan) < PLATFORM_PLANS.indexOf(required)) {
      throw new ForbiddenException(
        `PlatformPlanGuard - organization with id=${org.id} does not have required plan for this operation. Minimum plan is ${required} while the organization has ${plan}.`,
      );
    }
    return true;
  }
}
