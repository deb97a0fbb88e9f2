import { Module } from '@nestjs/common';
import { OrganizationsMembershipsController } from './memberships.controller';
import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';
import { OrgRolePolicy } from './org-role.policy';

/** Org memberships API; also exports the membership rules the org users API reuses. */
@Module({
  controllers: [OrganizationsMembershipsController],
  providers: [MembershipsService, MembershipsRepository, OrgRolePolicy],
  exports: [MembershipsRepository, OrgRolePolicy],
})
export class MembershipsModule {}
