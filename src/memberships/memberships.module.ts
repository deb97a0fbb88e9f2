import { Module } from '@nestjs/common';
import { MemberSyncService } from './member-sync.service';
import { OrganizationsMembershipsController } from './memberships.controller';
import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';
import { OrgRolePolicy } from './org-role.policy';

/** Org memberships API; also exports the membership rules the org users API reuses. */
@Module({
  controllers: [OrganizationsMembershipsController],
  providers: [MembershipsService, MembershipsRepository, OrgRolePolicy, MemberSyncService],
  exports: [MembershipsRepository, OrgRolePolicy, MemberSyncService],
})
export class MembershipsModule {}
