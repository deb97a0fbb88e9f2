import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROVIDER_ERROR_TYPES } from '../../providers/provider.errors';
import { AUDIT_ACTIONS } from '../delegation-credentials.repository';

const SCOPES = ['credential', 'member', 'none'];

export class WorkspacePlatformDto {
  @ApiProperty({ example: 'Google Workspace' })
  name!: string;

  @ApiProperty({ example: 'google' })
  slug!: string;
}

export class ProviderErrorDto {
  @ApiProperty({ enum: Object.keys(PROVIDER_ERROR_TYPES), example: 'CLIENT_NOT_AUTHORIZED' })
  type!: string;

  @ApiProperty()
  message!: string;

  @ApiPropertyOptional({
    enum: SCOPES,
    description:
      'credential: the delegation credential as a whole is at fault (every member fails the same way); member: ' +
      "one member's mailbox or calendar",
  })
  scope?: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When it was first seen (a failure keeps its first time)',
  })
  at!: string;
}

export class MemberCountsDto {
  @ApiProperty({ description: 'Accepted members whose email domain is the credential domain' })
  matching!: number;

  @ApiProperty({ description: 'Members whose access was verified through the provider' })
  connected!: number;

  @ApiProperty({ description: 'Members with a delegated credential awaiting verification' })
  pending!: number;

  @ApiProperty({
    description: 'Members whose access failed with a permanent error of their own (see /members)',
  })
  failing!: number;

  @ApiProperty({
    description:
      'Members cut off by a credential-wide failure (status failing): nothing is wrong with them; they are ' +
      're-verified when the credential recovers',
  })
  blocked!: number;
}

export const DELEGATION_CREDENTIAL_STATUSES = [
  'pending',
  'active',
  'failing',
  'disabled',
  'deleting',
] as const;

export class DelegationCredentialOutput {
  @ApiProperty({ example: '8b2f0d54-7a53-4d8e-9a57-0c8f2b6a1e43' })
  id!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ example: 'acme.com' })
  domain!: string;

  @ApiProperty({ example: 123 })
  organizationId!: number;

  @ApiProperty({ type: WorkspacePlatformDto })
  workspacePlatform!: WorkspacePlatformDto;

  @ApiProperty({ format: 'date-time', type: String })
  createdAt!: Date;

  @ApiProperty({ format: 'date-time', type: String })
  updatedAt!: Date;

  @ApiProperty({
    description:
      'pending (created, never enabled) → active (enabled, last check passed) ⇄ failing (enabled, a credential-wide ' +
      'provider error: see lastError; members are blocked until a check passes again) / disabled / deleting',
    enum: DELEGATION_CREDENTIAL_STATUSES,
  })
  status!: (typeof DELEGATION_CREDENTIAL_STATUSES)[number];

  @ApiProperty({
    description:
      'Provider client ID to authorize (Google Admin Console › Security › API controls › Domain-wide delegation, or the Entra app)',
    example: '103456789012345678901',
  })
  clientId!: string;

  @ApiProperty({
    description: 'Scopes to grant to clientId',
    example: ['https://www.googleapis.com/auth/calendar'],
  })
  scopes!: string[];

  @ApiPropertyOptional({ format: 'date-time', type: String, nullable: true })
  lastEnabledAt!: Date | null;

  @ApiPropertyOptional({ format: 'date-time', type: String, nullable: true })
  lastDisabledAt!: Date | null;

  @ApiPropertyOptional({ format: 'date-time', type: String, nullable: true })
  lastVerifiedAt!: Date | null;

  @ApiPropertyOptional({ type: ProviderErrorDto, nullable: true })
  lastError!: ProviderErrorDto | null;

  @ApiPropertyOptional({
    type: MemberCountsDto,
    description: 'Member provisioning progress (GET of one credential)',
  })
  members?: MemberCountsDto;
}

export class DelegatedMemberOutput {
  @ApiProperty()
  userId!: number;

  @ApiProperty()
  email!: string;

  @ApiPropertyOptional({ nullable: true })
  name!: string | null;

  @ApiProperty({ description: "Id of the member's delegated calendar credential" })
  credentialId!: number;

  @ApiProperty({
    enum: ['pending', 'connected', 'failing', 'blocked'],
    description:
      'pending: awaiting verification; connected: verified; failing: a provider error of their own (lastError), ' +
      're-checked on a backoff; blocked: the credential as a whole is failing (see its lastError)',
  })
  state!: string;

  @ApiPropertyOptional({ type: ProviderErrorDto, nullable: true })
  lastError!: ProviderErrorDto | null;

  @ApiPropertyOptional({ format: 'date-time', type: String, nullable: true })
  lastCheckedAt!: Date | null;

  @ApiProperty({ description: 'Verification attempts so far' })
  attempts!: number;

  @ApiPropertyOptional({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When the member is checked again (failing: backoff re-check; pending: re-queue)',
  })
  nextCheckAt!: Date | null;
}

export class DelegatedMemberListResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: DelegatedMemberOutput, isArray: true })
  data!: DelegatedMemberOutput[];
}

export class DelegationCredentialResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: DelegationCredentialOutput })
  data!: DelegationCredentialOutput;
}

export class DelegationCredentialListResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: DelegationCredentialOutput, isArray: true })
  data!: DelegationCredentialOutput[];
}

export class PreflightFailureDto {
  @ApiProperty()
  userId!: number;

  @ApiProperty()
  email!: string;

  @ApiProperty({ enum: Object.keys(PROVIDER_ERROR_TYPES), example: 'USER_NOT_IN_DIRECTORY' })
  type!: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ enum: SCOPES })
  scope!: string;

  @ApiProperty({ description: 'false: throttled or unavailable, could not be checked now (not a verdict)' })
  permanent!: boolean;
}

export class PreflightSampleDto {
  @ApiProperty({ description: 'sampleMembers as asked', example: 50 })
  requested!: number;

  @ApiProperty({ description: 'Accepted members whose email is in the domain (all, not only the sample)' })
  matching!: number;

  @ApiProperty({ description: 'Members checked (min(requested, matching); 0 when skipped)', example: 50 })
  checked!: number;

  @ApiProperty({ description: 'Checked members who would connect', example: 47 })
  reachable!: number;

  @ApiProperty({
    type: PreflightFailureDto,
    isArray: true,
    description: 'Checked members who would not, and why',
  })
  failing!: PreflightFailureDto[];

  @ApiPropertyOptional({ description: 'Why no member was checked (the credential itself failed the check)' })
  skipped?: string;
}

export class VerifyDelegationCredentialOutput {
  @ApiProperty({ description: 'Whether the provider check passed' })
  verified!: boolean;

  @ApiPropertyOptional({ type: ProviderErrorDto, description: 'Why the check failed (when verified=false)' })
  reason?: ProviderErrorDto;

  @ApiProperty({ description: 'Mailbox that was impersonated (yours)', example: 'admin@acme.com' })
  subject!: string;

  @ApiPropertyOptional({ description: 'Calendars visible through the credential' })
  calendarCount?: number;

  @ApiProperty({ format: 'date-time', type: String })
  checkedAt!: Date;

  @ApiPropertyOptional({ type: PreflightSampleDto, description: 'Preflight (only with sampleMembers)' })
  sample?: PreflightSampleDto;
}

export class VerifyDelegationCredentialResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: VerifyDelegationCredentialOutput })
  data!: VerifyDelegationCredentialOutput;
}

export class AuditEventOutput {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({
    enum: AUDIT_ACTIONS,
    description: "FAILING and RECOVERED are the health state machine's own transitions (no actor)",
  })
  action!: string;

  @ApiProperty({ enum: ['SUCCESS', 'FAILURE'] })
  outcome!: string;

  @ApiPropertyOptional({ nullable: true, description: 'Acting user id' })
  actorUserId!: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Non-secret context (changed fields, provider error)' })
  details!: unknown;

  @ApiProperty({ format: 'date-time', type: String })
  createdAt!: Date;
}

export class AuditEventListResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: AuditEventOutput, isArray: true })
  data!: AuditEventOutput[];
}

export class ResyncDelegationCredentialOutput {
  @ApiProperty({ example: '8b2f0d54-7a53-4d8e-9a57-0c8f2b6a1e43' })
  delegationCredentialId!: string;

  @ApiProperty({ format: 'date-time', type: String })
  requestedAt!: Date;

  @ApiProperty({ description: 'The queued resync job', example: 'resync_8b2f0d54-…_1_1764000000000' })
  jobId!: string;
}

export class ResyncDelegationCredentialResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: ResyncDelegationCredentialOutput })
  data!: ResyncDelegationCredentialOutput;
}
