import { Module } from '@nestjs/common';
import { MembershipsModule } from '../memberships/memberships.module';
import { OrganizationsUsersController } from './org-users.controller';
import { OrgUsersRepository } from './org-users.repository';
import { OrgUsersService } from './org-users.service';

@Module({
  imports: [MembershipsModule],
  controllers: [OrganizationsUsersController],
  providers: [OrgUsersService, OrgUsersRepository],
})
export class OrgUsersModule {}
