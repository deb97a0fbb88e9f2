import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { IsServiceAccountKey, SERVICE_ACCOUNT_KEY_SCHEMA } from './service-account-key.input';

export class UpdateDelegationCredentialInput {
  @ApiPropertyOptional({
    description:
      'Enable (checks access through the provider, impersonating you: your email domain must be the credential domain) or disable.',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    ...SERVICE_ACCOUNT_KEY_SCHEMA,
    description:
      'Key rotation. On an enabled credential the new key is checked first and replaces the old one only if the check passes. ' +
      SERVICE_ACCOUNT_KEY_SCHEMA.description,
  })
  @IsOptional()
  @IsServiceAccountKey()
  serviceAccountKey?: unknown;
}
