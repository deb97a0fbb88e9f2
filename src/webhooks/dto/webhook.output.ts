import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WebhookRecord } from '../webhooks.repository';
import { WEBHOOK_TRIGGERS } from '../webhook-triggers';

/**
 * Cal.com's org webhook output (`TeamWebhookOutputDto`) with one deliberate difference: the secret is never
 * returned — not even on creation — and `hasSecret` says whether deliveries are signed.
 */
export class OrgWebhookOutput {
  @ApiProperty({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  id!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  payloadTemplate!: string | null;

  @ApiProperty({ enum: WEBHOOK_TRIGGERS, isArray: true })
  triggers!: string[];

  @ApiProperty({ description: 'The organization id', example: 123 })
  teamId!: number;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ example: 'https://hooks.acme.com/cal' })
  subscriberUrl!: string;

  @ApiProperty({ description: 'Whether deliveries are signed (the secret itself is write-only)' })
  hasSecret!: boolean;

  @ApiProperty({ format: 'date-time', type: String })
  createdAt!: Date;

  @ApiProperty({ format: 'date-time', type: String })
  updatedAt!: Date;
}

export class OrgWebhookResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrgWebhookOutput })
  data!: OrgWebhookOutput;
}

export class OrgWebhooksResponse {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrgWebhookOutput, isArray: true })
  data!: OrgWebhookOutput[];
}

/** Whitelists response fields: the encrypted secret and its key version never go out. */
export function toOrgWebhookOutput(record: WebhookRecord): OrgWebhookOutput {
  return {
    id: record.id,
    payloadTemplate: record.payloadTemplate,
    triggers: record.triggers,
    teamId: record.organizationId,
    active: record.active,
    subscriberUrl: record.subscriberUrl,
    hasSecret: record.encryptedSecret !== null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
