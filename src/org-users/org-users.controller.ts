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
import { CreateOrganizationUserInput } from './dto/create-org-user.input';
import {
  GetOrganizationUserOutput,
  GetOrganizationUsersOutput,
  type OrganizationUserOutput,
} from './dto/org-user.output';
import { UpdateOrganizationUserInput } from './dto/update-org-user.input';
import { toOrganizationUserOutput as toOutput } from './org-user.mapper';
import { OrgUsersService } from './org-users.service';

@ApiTags('Orgs / Users')
@ApiAuthHeaders()
@ApiParam({ name: 'orgId', type: Number })
@OrgGuards()
@Roles('ORG_ADMIN')
@PlatformPlan('ESSENTIALS')
@Controller('v2/organizations/:orgId/users')
export class OrganizationsUsersController {
  constructor(private readonly service: OrgUsersService) {}

  @Get()
  @Pbac(['organization.listMembers'])
  @ApiOperation({
    summary: 'Get all users of an organization',
    description: orgAdminAccess('organization.listMembers'),
  })
  @ApiOkResponse({ type: GetOrganizationUsersOutput, description: '' })
  async getOrganizationsUsers(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Query() page: PaginationInput,
  ): Promise<Envelope<OrganizationUserOutput[]>> {
    return ok((await this.service.list(orgId, page.take, page.skip)).map(toOutput));
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @Pbac(['organization.invite'])
  @ApiOperation({
    summary: 'Create a user in an organization',
    description: `${orgAdminAccess('organization.invite')}. Creates the user and their membership; delegated calendar access is then synced in the background.`,
  })
  @ApiCreatedResponse({ type: GetOrganizationUserOutput, description: '' })
  async createOrganizationUser(
    @Param('orgId', OrgIdPipe) orgId: number,
    @GetUser() user: AuthUser,
    @Body() body: CreateOrganizationUserInput,
  ): Promise<Envelope<OrganizationUserOutput>> {
    return ok(toOutput(await this.service.create(orgId, user, body)));
  }

  @Patch(':userId')
  @Pbac(['organization.changeMemberRole'])
  @ApiOperation({
    summary: 'Update a user of an organization',
    description: `${orgAdminAccess('organization.changeMemberRole')}. A new email domain moves the user's delegated calendar access (synced in the background).`,
  })
  @ApiParam({ name: 'userId', type: Number })
  @ApiOkResponse({ type: GetOrganizationUserOutput, description: '' })
  async updateOrganizationUser(
    @Param('orgId', OrgIdPipe) orgId: number,
    @IdParam('userId') userId: number,
    @GetUser() user: AuthUser,
    @Body() body: UpdateOrganizationUserInput,
  ): Promise<Envelope<OrganizationUserOutput>> {
    return ok(toOutput(await this.service.update(orgId, userId, user, body)));
  }

  @Delete(':userId')
  @Pbac(['organization.remove'])
  @ApiOperation({
    summary: 'Remove a user from an organization',
    description: `${orgAdminAccess('organization.remove')}. Deletes the membership (the user account stays); delegated calendar access is removed in the background.`,
  })
  @ApiParam({ name: 'userId', type: Number })
  @ApiOkResponse({ type: GetOrganizationUserOutput, description: '' })
  async deleteOrganizationUser(
    @Param('orgId', OrgIdPipe) orgId: number,
    @IdParam('userId') userId: number,
    @GetUser() user: AuthUser,
  ): Promise<Envelope<OrganizationUserOutput>> {
    return ok(toOutput(await this.service.remove(orgId, userId, user)));
  }
}
