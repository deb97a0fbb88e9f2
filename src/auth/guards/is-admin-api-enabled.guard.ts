import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { AppRequest } from '../../common/http/request-context';

/** Non-platform organizations need the Admin API enabled; platform organizations pass. */
@Injectable()
export class IsAdminApiEnabledGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const org = context.switchToHttp().getRequest<AppRequest>().organization;
    if (!org)
      throw new ForbiddenException('IsAdminAPIEnabledGuard - No organization id found in request params.');
    if (org.isPlatform || org.adminApiEnabled) return true;
    throw new ForbiddenException(
      'IsAdminAPIEnabledGuard - Organization does not have Admin API access, please contact https://cal.com/sales to upgrade',
    );
  }
}
