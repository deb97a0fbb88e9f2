import { PROVIDER_ERROR_TYPES } from '../../providers/provider.errors';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class MemberCountsDto {
  @ApiProperty({ description: 'Accepted members whose email domain is the credential domain' })
  matching!: number;

  @ApiProperty({ description: 'Members whose access was verified through the provider' })
  connected!: number;

  @ApiProperty({ description: 'Members with a delegated credential awaiting verification' })
  pending!: number;

  @ApiProperty({ description: 'Members whose access failed with a permanent error (see /members)' })
  failing!: number;
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
      'pending (created, never enabled) → active (enabled, last check passed) → failing (enabled, last check failed) / disabled / deleting',
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

  @ApiProperty({ enum: ['pending', 'connected', 'failing'] })
  state!: string;

  @ApiPropertyOptional({ type: ProviderErrorDto, nullable: true })
  lastError!: ProviderErrorDto | null;

  @ApiPropertyOptional({ format: 'date-time', type: String, nullable: true })
  lastCheckedAt!: Date | null;

  @ApiProperty({ description: 'Verification attempts so far' })
  attempts!: number;
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

  @ApiProperty({ enum: ['CREATE', 'ENABLE', 'DISABLE', 'ROTATE_KEY', 'VERIFY', 'DELETE'] })
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
