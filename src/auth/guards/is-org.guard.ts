import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { parseId } from '../../common/http/id-param';
import type { AppRequest } from '../../common/http/request-context';
import { AuthRepository } from '../auth.repository';
import { organizationFor } from './org-access';

/**
 * The `:orgId` route parameter must name an existing organization (a team with isOrganization=true). Reads what
 * ApiAuthGuard resolved (no query of its own).
 */
@Injectable()
export class IsOrgGuard implements CanActivate {
  constructor(private readonly auth: AuthRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AppRequest>();
    const raw = (request.params as Record<string, string | undefined>).orgId;
    if (raw === undefined)
      throw new ForbiddenException('IsOrgGuard - No organization id found in request params.');
    const orgId = parseId('orgId', raw, 'IsOrgGuard');
    const team = await organizationFor(request, orgId, this.auth);
    if (!team?.isOrganization) {
      throw new ForbiddenException(
        `IsOrgGuard - provided organization id=${orgId} does not represent any existing organization.`,
      );
    }
    if (request.authMethod === 'oauth-client' && request.authOrganizationId !== orgId) {
      // A platform OAuth client acts only within its own organization (checked before PBAC can grant anything).
      throw new ForbiddenException(
        `IsOrgGuard - OAuth client of organization with id=${request.authOrganizationId} cannot act on organization with id=${orgId}.`,
      );
    }
    request.organization = {
      id: team.id,
      slug: team.slug,
      isPlatform: team.isPlatform,
      platformBillingPlan: team.platformBillingPlan,
      adminApiEnabled: team.adminApiEnabled,
      pbacEnabled: team.pbacEnabled,
    };
    return true;
  }
}
