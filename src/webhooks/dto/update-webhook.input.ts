import { ApiPropertyOptional } from '@nestjs/swagger';
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
  ValidateIf,
} from 'class-validator';
import { WEBHOOK_TRIGGERS, type WebhookTrigger } from '../webhook-triggers';
import { MAX_PAYLOAD_TEMPLATE_LENGTH, MAX_SECRET_LENGTH } from './create-webhook.input';
import {
  PAYLOAD_TEMPLATE_DESCRIPTION,
  PayloadTemplateConstraint,
  SECRET_DESCRIPTION,
  SUBSCRIBER_URL_DESCRIPTION,
  SubscriberUrlConstraint,
} from './subscriber-url.validator';

const present = (_: object, value: unknown) => value !== undefined;

/**
 * Cal.com's UpdateWebhookInputDto (every field optional). Written out rather than PartialType: PartialType's
 * IsOptional lets `null` through, which must be a 400 for active/subscriberUrl/triggers; `null` is meaningful only
 * for payloadTemplate (remove it) and secret (stop signing).
 */
export class UpdateWebhookInput {
  @ApiPropertyOptional({
    type: String,
    description: `${PAYLOAD_TEMPLATE_DESCRIPTION} null removes it.`,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PAYLOAD_TEMPLATE_LENGTH)
  @Validate(PayloadTemplateConstraint)
  payloadTemplate?: string | null;

  @ApiPropertyOptional({ example: false })
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: SUBSCRIBER_URL_DESCRIPTION, example: 'https://hooks.acme.com/cal' })
  @ValidateIf(present)
  @IsString()
  @Validate(SubscriberUrlConstraint)
  subscriberUrl?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_TRIGGERS, isArray: true })
  @ValidateIf(present)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_TRIGGERS.length * 2)
  @IsIn(WEBHOOK_TRIGGERS, { each: true })
  triggers?: WebhookTrigger[];

  @ApiPropertyOptional({
    type: String,
    description: `${SECRET_DESCRIPTION} A new value replaces the stored one; null removes it.`,
    writeOnly: true,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SECRET_LENGTH)
  secret?: string | null;
}
