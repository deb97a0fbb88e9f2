import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Validate } from 'class-validator';
import { IsServiceAccountKey, SERVICE_ACCOUNT_KEY_SCHEMA } from './service-account-key.input';
import { DomainConstraint, normalizeDomainInput } from './domain.validator';

export class CreateDelegationCredentialInput {
  @ApiProperty({ description: 'Workspace platform: `google` or `office365`', example: 'google' })
  @IsString()
  @IsNotEmpty()
  workspacePlatformSlug!: string;

  @ApiProperty({
    description:
      'Email domain of the members to delegate for. Trimmed, lowercased, a leading `@` is removed.',
    example: 'acme.com',
  })
  @Transform(normalizeDomainInput)
  @Validate(DomainConstraint)
  domain!: string;

  @ApiProperty(SERVICE_ACCOUNT_KEY_SCHEMA)
  @IsServiceAccountKey()
  serviceAccountKey!: unknown;
}
