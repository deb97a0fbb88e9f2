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
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { GetUser, Pbac, PlatformPlan, Roles } from '../auth/decorators/auth.decorators';
import { OrgGuards } from '../auth/guards/org-guards';
import { orgAdminAccess } from '../common/docs/access';
import { ApiAuthHeaders } from '../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../common/dto/envelope';
import { PaginationInput } from '../common/dto/pagination.input';
import type { AuthUser } from '../common/http/request-context';
import { OrgIdPipe } from '../common/http/org-id.pipe';
import { RouteRateLimit } from '../rate-limit/rate-limit.decorator';
import { toDelegationCredentialOutput } from './delegation-credential.mapper';
import { DelegationCredentialsService } from './delegation-credentials.service';
import { CreateDelegationCredentialInput } from './dto/create-delegation-credential.input';
import {
  AuditEventListResponse,
  type AuditEventOutput,
  DelegatedMemberListResponse,
  type DelegatedMemberOutput,
  DelegationCredentialListResponse,
  type DelegationCredentialOutput,
  DelegationCredentialResponse,
  type ResyncDelegationCredentialOutput,
  ResyncDelegationCredentialResponse,
  type VerifyDelegationCredentialOutput,
  VerifyDelegationCredentialResponse,
} from './dto/delegation-credential.output';
import {
  GoogleServiceAccountKeyInput,
  MicrosoftServiceAccountKeyInput,
} from './dto/service-account-key.input';
import { UpdateDelegationCredentialInput } from './dto/update-delegation-credential.input';
import { VerifyDelegationCredentialInput } from './dto/verify-delegation-credential.input';

const ACCESS = orgAdminAccess('organization.update');

@ApiTags('Orgs / Delegation Credentials')
@ApiExtraModels(GoogleServiceAccountKeyInput, MicrosoftServiceAccountKeyInput)
@ApiAuthHeaders()
@ApiParam({ name: 'orgId', type: Number })
@OrgGuards()
@Roles('ORG_ADMIN')
@Pbac(['organization.update'])
@PlatformPlan('SCALE')
@Controller('v2/organizations/:orgId/delegation-credentials')
export class OrganizationsDelegationCredentialController {
  constructor(private readonly service: DelegationCredentialsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Save delegation credentials for your organization',
    description: `${ACCESS}. The credential is created disabled (status pending); enable it with PATCH once the client ID is authorized.`,
  })
  @ApiCreatedResponse({ type: DelegationCredentialResponse, description: '' })
  async createDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @GetUser() user: AuthUser,
    @Body() body: CreateDelegationCredentialInput,
  ): Promise<Envelope<DelegationCredentialOutput>> {
    return ok(toDelegationCredentialOutput(await this.service.create(orgId, user, body)));
  }

  @Get()
  @ApiOperation({ summary: 'Get delegation credentials of your organization', description: ACCESS })
  @ApiOkResponse({ type: DelegationCredentialListResponse, description: '' })
  async getDelegationCredentials(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Query() page: PaginationInput,
  ): Promise<Envelope<DelegationCredentialOutput[]>> {
    const records = await this.service.list(orgId, page.take, page.skip);
    return ok(records.map(toDelegationCredentialOutput));
  }

  @Get(':credentialId')
  @ApiOperation({ summary: 'Get a delegation credential of your organization', description: ACCESS })
  @ApiOkResponse({ type: DelegationCredentialResponse, description: '' })
  async getDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
  ): Promise<Envelope<DelegationCredentialOutput>> {
    const record = await this.service.get(orgId, credentialId);
    return ok({ ...toDelegationCredentialOutput(record), members: await this.service.memberCounts(record) });
  }

  @Get(':credentialId/members')
  @ApiOperation({
    summary: 'List the members of a delegation credential with their sync state',
    description: `${ACCESS}. Members with a delegated credential: pending (awaiting verification), connected, or failing with the provider error.`,
  })
  @ApiOkResponse({ type: DelegatedMemberListResponse, description: '' })
  async getDelegationCredentialMembers(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @Query() page: PaginationInput,
  ): Promise<Envelope<DelegatedMemberOutput[]>> {
    const members = await this.service.listMembers(orgId, credentialId, page.take, page.skip);
    return ok(
      members.map((m) => ({
        userId: m.userId,
        email: m.user.email,
        name: m.user.name,
        credentialId: m.id,
        state: (m.syncState ?? 'PENDING').toLowerCase(),
        lastError: (m.lastError as DelegatedMemberOutput['lastError']) ?? null,
        lastCheckedAt: m.lastCheckedAt,
        attempts: m.attempts,
        nextCheckAt: m.nextCheckAt,
      })),
    );
  }

  @Patch(':credentialId')
  @ApiOperation({
    summary: 'Update delegation credentials of your organization',
    description: `${ACCESS}. Enabling, and rotating the key of an enabled credential, first check access through the provider while impersonating you (your email must be in the credential's domain); a failed check changes nothing and answers 400 with the provider error.`,
  })
  @ApiOkResponse({ type: DelegationCredentialResponse, description: '' })
  async updateDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @GetUser() user: AuthUser,
    @Body() body: UpdateDelegationCredentialInput,
  ): Promise<Envelope<DelegationCredentialOutput>> {
    return ok(toDelegationCredentialOutput(await this.service.update(orgId, credentialId, user, body)));
  }

  @Delete(':credentialId')
  @ApiOperation({
    summary: 'Delete a delegation credential of your organization',
    description: `${ACCESS}. Disables the credential and marks it deleting; a background job removes the delegated member credentials (members keep their calendar preferences) and then the credential.`,
  })
  @ApiOkResponse({ type: DelegationCredentialResponse, description: '' })
  async deleteDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @GetUser() user: AuthUser,
  ): Promise<Envelope<DelegationCredentialOutput>> {
    return ok(toDelegationCredentialOutput(await this.service.remove(orgId, credentialId, user)));
  }

  @Post(':credentialId/verify')
  @RouteRateLimit('verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Verify a delegation credential (optionally with a preflight of its members)',
    description:
      `${ACCESS}. Checks access through the provider while impersonating you (your email must be in the credential's domain). ` +
      'A configuration problem answers verified=false with the reason; a credential-wide one (scope credential) is recorded as lastError and ' +
      'makes an enabled credential failing, a pass makes it active again and re-verifies its failing and blocked members. ' +
      'A provider outage answers 502/503. With `{"sampleMembers": N}` (1–50) it also checks N random matching members and reports ' +
      'which would connect and which would fail and why (`sample`), without changing any member — on a disabled credential too.',
  })
  @ApiBody({ type: VerifyDelegationCredentialInput, required: false })
  @ApiOkResponse({ type: VerifyDelegationCredentialResponse, description: '' })
  async verifyDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @GetUser() user: AuthUser,
    @Body() body: VerifyDelegationCredentialInput,
  ): Promise<Envelope<VerifyDelegationCredentialOutput>> {
    return ok(await this.service.verify(orgId, credentialId, user, { sampleMembers: body?.sampleMembers }));
  }

  @Post(':credentialId/resync')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Resync a delegation credential: re-provision and re-verify every member now',
    description:
      `${ACCESS}. Queues a job that checks the credential through the provider (recording the result), provisions every matching ` +
      'member again and re-verifies every member at the provider rate. Answers 202 at once; follow progress with GET …/{id} and ' +
      '…/{id}/members. A disabled or deleting credential answers 409.',
  })
  @ApiAcceptedResponse({ type: ResyncDelegationCredentialResponse, description: '' })
  async resyncDelegationCredential(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @GetUser() user: AuthUser,
  ): Promise<Envelope<ResyncDelegationCredentialOutput>> {
    return ok(await this.service.resync(orgId, credentialId, user));
  }

  @Get(':credentialId/audit')
  @ApiOperation({
    summary: 'Get the audit trail of a delegation credential',
    description: `${ACCESS}. Newest first; kept after deletion.`,
  })
  @ApiOkResponse({ type: AuditEventListResponse, description: '' })
  async getDelegationCredentialAudit(
    @Param('orgId', OrgIdPipe) orgId: number,
    @Param('credentialId') credentialId: string,
    @Query() page: PaginationInput,
  ): Promise<Envelope<AuditEventOutput[]>> {
    const events = await this.service.listAudit(orgId, credentialId, page.take, page.skip);
    return ok(
      events.map((e) => ({
        id: e.id.toString(),
        action: e.action,
        outcome: e.outcome,
        actorUserId: e.actorUserId,
        details: e.details,
        createdAt: e.createdAt,
      })),
    );
  }
}
