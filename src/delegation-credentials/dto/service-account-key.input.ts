import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { parseServiceAccountKey } from '../service-account-key';

export class GoogleServiceAccountKeyInput {
  @ApiProperty({
    description:
      'RSA private key of the service account in PEM, as in the downloaded JSON key. Line breaks may arrive as ' +
      'literal \\n escapes (one or two levels, as env files and JSON-in-JSON produce); they are restored. EC and ' +
      'Ed25519 keys are refused (400): Google signs service account assertions with RS256 only.',
    example: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n',
  })
  private_key!: string;

  @ApiProperty({ example: 'cal-delegation@acme-project.iam.gserviceaccount.com' })
  client_email!: string;

  @ApiProperty({
    description: 'OAuth client ID of the service account (authorize it for domain-wide delegation)',
    example: '103456789012345678901',
  })
  client_id!: string;
}

export class MicrosoftServiceAccountKeyInput {
  @ApiProperty({
    description:
      "Client secret of the Microsoft Entra application: the secret's Value, not its Secret ID (a GUID)",
    example: 'Abc8Q~…',
  })
  private_key!: string;

  @ApiProperty({
    description:
      'Directory (tenant) ID (a GUID) or a domain name of the tenant. common, organizations and consumers are ' +
      'refused (400): the client credentials grant needs one tenant.',
    example: '0d2f1c1e-9c3b-4a5e-9d53-5a2b7d0f1234',
  })
  tenant_id!: string;

  @ApiProperty({ description: 'Application (client) ID', example: '6731de76-14a6-49ae-97bc-6eba6914391e' })
  client_id!: string;
}

/** Stateless (Cal.com keeps errors on the shared constraint instance; concurrent requests could mix them up). */
@ValidatorConstraint({ name: 'isServiceAccountKey', async: false })
class ServiceAccountKeyConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return parseServiceAccountKey(value).ok;
  }

  defaultMessage(args: ValidationArguments): string {
    const result = parseServiceAccountKey(args.value);
    return result.ok ? '' : result.errors.join(', ');
  }
}

export function IsServiceAccountKey(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: ServiceAccountKeyConstraint,
    });
}

export const SERVICE_ACCOUNT_KEY_SCHEMA = {
  description:
    'One key object: a Google service account key (a whole downloaded JSON key is accepted; fields other than ' +
    'private_key, client_email, client_id are ignored) or a Microsoft Entra app (tenant_id, client_id, and the ' +
    "client secret as private_key). Cal.com's published spec shows an array; a single-element array is accepted.",
  oneOf: [
    { $ref: getSchemaPath(GoogleServiceAccountKeyInput) },
    { $ref: getSchemaPath(MicrosoftServiceAccountKeyInput) },
  ],
};
