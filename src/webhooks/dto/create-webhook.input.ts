import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Validate,
} from 'class-validator';
import { WEBHOOK_TRIGGERS, type WebhookTrigger } from '../webhook-triggers';
import {
  PAYLOAD_TEMPLATE_DESCRIPTION,
  PayloadTemplateConstraint,
  SECRET_DESCRIPTION,
  SUBSCRIBER_URL_DESCRIPTION,
  SubscriberUrlConstraint,
} from './subscriber-url.validator';

export const MAX_PAYLOAD_TEMPLATE_LENGTH = 10_000;
export const MAX_SECRET_LENGTH = 1024;

/** Cal.com's CreateWebhookInputDto. */
export class CreateWebhookInput {
  @ApiPropertyOptional({
    type: String,
    description: PAYLOAD_TEMPLATE_DESCRIPTION,
    example: '{"text":"{{triggerEvent}}: {{error.type}} for {{user.email}}"}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PAYLOAD_TEMPLATE_LENGTH)
  @Validate(PayloadTemplateConstraint)
  payloadTemplate?: string | null;

  @ApiProperty()
  @IsBoolean()
  active!: boolean;

  @ApiProperty({ description: SUBSCRIBER_URL_DESCRIPTION, example: 'https://hooks.acme.com/cal' })
  @IsString()
  @Validate(SubscriberUrlConstraint)
  subscriberUrl!: string;

  @ApiProperty({ enum: WEBHOOK_TRIGGERS, isArray: true, example: ['DELEGATION_CREDENTIAL_ERROR'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_TRIGGERS.length * 2)
  @IsIn(WEBHOOK_TRIGGERS, { each: true })
  triggers!: WebhookTrigger[];

  @ApiPropertyOptional({ type: String, description: SECRET_DESCRIPTION, writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SECRET_LENGTH)
  secret?: string | null;
}
