import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { GetUser, Pbac, PlatformPlan, Roles } from '../auth/decorators/auth.decorators';
import { OrgGuards } from '../auth/guards/org-guards';
import { orgAdminAccess } from '../common/docs/access';
import { ApiAuthHeaders } from '../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../common/dto/envelope';
import { PaginationInput } from '../common/dto/pagination.input';
import { IdParam } from '../common/http/id-param';
import { OrgIdPipe } from '../common/http/org-id.pipe';
import type { AuthUser } from '../common/http/request-context';
import { CreateOrgMembershipDto } from './dto/create-org-membership.input';
import {
  CreateOrgMembershipOutput,
  DeleteOrgMembership,
  GetAllOrgMemberships,
  GetOrgMembership,
  type OrganizationMembershipOutput,
  UpdateOrgMembership,
} from './dto/org-membership.output';
import { UpdateOrgMembershipDto } from './dto/update-org-membership.input';
import { toOrganizationMembershipOutput as toOutput } from './membership.mapper';
import { MembershipsService } from './memberships.service';

@ApiTags('Orgs / Memberships')
@ApiAuthHeaders()
@ApiParam({ name: 'orgId', type: Number })
@OrgGuards()
@Roles('ORG_ADMIN')
@PlatformPlan('ESSENTIALS')
@Controller('v2/organizations/:orgId/memberships')
export class OrganizationsMembershipsController {
  constructor(private readonly service: MembershipsService) {}

  @Get()
  @Pbac(['organization.listMembers'])
  @ApiOperation({ summary: 'Get all memberships', description: orgAdminAccess('organization.listMembers') })
  @ApiOkResponse({ type: GetAllOrgMemberships, description: '' })
  async getAllMemberships(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Query() page: PaginationInput,
  ): Promise<Envelope<OrganizationMembershipOutput[]>> {
    return ok((await this.service.list(orgId, page.take, page.skip)).map(toOutput));
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @Pbac(['organization.invite'])
  @ApiOperation({
    summary: 'Create a membership',
    description: `${orgAdminAccess('organization.invite')}. The member's delegated calendar access is then synced in the background.`,
  })
  @ApiCreatedResponse({ type: CreateOrgMembershipOutput, description: '' })
  async createMembership(
    @Param('orgId', OrgIdPipe) orgId: number,
    @GetUser() user: AuthUser,
    @Body() body: CreateOrgMembershipDto,
  ): Promise<Envelope<OrganizationMembershipOutput>> {
    return ok(toOutput(await this.service.create(orgId, user, body)));
  }

  @Get(':membershipId')
  @Pbac(['organization.listMembers'])
  @ApiOperation({ summary: 'Get a membership', description: orgAdminAccess('organization.listMembers') })
  @ApiParam({ name: 'membershipId', type: Number })
  @ApiOkResponse({ type: GetOrgMembership, description: '' })
  async getOrgMembership(
    @Param('orgId', OrgIdPipe) orgId: number,
    @IdParam('membershipId') membershipId: number,
  ): Promise<Envelope<OrganizationMembershipOutput>> {
    return ok(toOutput(await this.service.get(orgId, membershipId)));
  }

  @Patch(':membershipId')
  @Pbac(['organization.changeMemberRole'])
  @ApiOperation({
    summary: 'Update a membership',
    description: `${orgAdminAccess('organization.changeMemberRole')}. Accepting or un-accepting changes the member's delegated calendar access (synced in the background).`,
  })
  @ApiParam({ name: 'membershipId', type: Number })
  @ApiOkResponse({ type: UpdateOrgMembership, description: '' })
  async updateMembership(
    @Param('orgId', OrgIdPipe) orgId: number,
    @IdParam('membershipId') membershipId: number,
    @GetUser() user: AuthUser,
    @Body() body: UpdateOrgMembershipDto,
  ): Promise<Envelope<OrganizationMembershipOutput>> {
    return ok(toOutput(await this.service.update(orgId, membershipId, user, body)));
  }

  @Delete(':membershipId')
  @Pbac(['organization.remove'])
  @ApiOperation({
    summary: 'Delete a membership',
    description: `${orgAdminAccess('organization.remove')}. The member's delegated calendar access is removed in the background.`,
  })
  @ApiParam({ name: 'membershipId', type: Number })
  @ApiOkResponse({ type: DeleteOrgMembership, description: '' })
  async deleteMembership(
    @Param('orgId', OrgIdPipe) orgId: number,
    @IdParam('membershipId') membershipId: number,
    @GetUser() user: AuthUser,
  ): Promise<Envelope<OrganizationMembershipOutput>> {
    return ok(toOutput(await this.service.remove(orgId, membershipId, user)));
  }
}
