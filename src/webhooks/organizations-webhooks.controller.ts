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
import { Pbac, PlatformPlan, Roles } from '../auth/decorators/auth.decorators';
import { OrgGuards } from '../auth/guards/org-guards';
import { orgAdminAccess } from '../common/docs/access';
import { ApiAuthHeaders } from '../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../common/dto/envelope';
import { PaginationInput } from '../common/dto/pagination.input';
import { OrgIdPipe } from '../common/http/org-id.pipe';
import { CreateWebhookInput } from './dto/create-webhook.input';
import { UpdateWebhookInput } from './dto/update-webhook.input';
import {
  type OrgWebhookOutput,
  OrgWebhookResponse,
  OrgWebhooksResponse,
  toOrgWebhookOutput,
} from './dto/webhook.output';
import { WebhooksService } from './webhooks.service';

const ACCESS = orgAdminAccess('organization.update');

/** Cal.com's `/v2/organizations/{orgId}/webhooks` (tag "Orgs / Webhooks"), same operation ids. */
@ApiTags('Orgs / Webhooks')
@ApiAuthHeaders()
@ApiParam({ name: 'orgId', type: Number })
@OrgGuards()
@Controller('v2/organizations/:orgId/webhooks')
export class OrganizationsWebhooksController {
  constructor(private readonly service: WebhooksService) {}

  @Get()
  @Roles('ORG_ADMIN')
  @PlatformPlan('ESSENTIALS')
  @Pbac(['organization.update'])
  @ApiOperation({ summary: 'Get all webhooks', description: ACCESS })
  @ApiOkResponse({ type: OrgWebhooksResponse, description: '' })
  async getAllOrganizationWebhooks(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Query() page: PaginationInput,
  ): Promise<Envelope<OrgWebhookOutput[]>> {
    return ok((await this.service.list(orgId, page.take, page.skip)).map(toOrgWebhookOutput));
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @Roles('ORG_ADMIN')
  @PlatformPlan('ESSENTIALS')
  @Pbac(['organization.update'])
  @ApiOperation({
    summary: 'Create a webhook',
    description: `${ACCESS}. The secret is write-only: it is never returned, not even here (see hasSecret).`,
  })
  @ApiCreatedResponse({ type: OrgWebhookResponse, description: '' })
  async createOrganizationWebhook(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Body() body: CreateWebhookInput,
  ): Promise<Envelope<OrgWebhookOutput>> {
    return ok(toOrgWebhookOutput(await this.service.create(orgId, body)));
  }

  @Get(':webhookId')
  @Roles('ORG_ADMIN')
  @PlatformPlan('ESSENTIALS')
  @Pbac(['organization.update'])
  @ApiOperation({ summary: 'Get a webhook', description: ACCESS })
  @ApiOkResponse({ type: OrgWebhookResponse, description: '' })
  async getOrganizationWebhook(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<OrgWebhookOutput>> {
    return ok(toOrgWebhookOutput(await this.service.get(orgId, webhookId)));
  }

  @Patch(':webhookId')
  @Roles('ORG_ADMIN')
  @PlatformPlan('ESSENTIALS')
  @Pbac(['organization.update'])
  @ApiOperation({
    summary: 'Update a webhook',
    description: `${ACCESS}. A new secret replaces the stored one; \`secret: null\` stops signing.`,
  })
  @ApiOkResponse({ type: OrgWebhookResponse, description: '' })
  async updateOrgWebhook(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('webhookId') webhookId: string,
    @Body() body: UpdateWebhookInput,
  ): Promise<Envelope<OrgWebhookOutput>> {
    return ok(toOrgWebhookOutput(await this.service.update(orgId, webhookId, body)));
  }

  @Delete(':webhookId')
  @Roles('ORG_ADMIN')
  @PlatformPlan('ESSENTIALS')
  @Pbac(['organization.update'])
  @ApiOperation({ summary: 'Delete a webhook', description: `${ACCESS}. Returns the deleted webhook.` })
  @ApiOkResponse({ type: OrgWebhookResponse, description: '' })
  async deleteWebhook(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<OrgWebhookOutput>> {
    return ok(toOrgWebhookOutput(await this.service.remove(orgId, webhookId)));
  }
}
