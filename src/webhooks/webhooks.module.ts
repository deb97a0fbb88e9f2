import { Module } from '@nestjs/common';
import { OrganizationsWebhooksController } from './organizations-webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Org webhooks, API side: CRUD under /v2/organizations/{orgId}/webhooks. Events are queued by their sources
 * (queueWebhookEvent) and delivered by WebhookDeliveryModule in the worker.
 */
@Module({
  controllers: [OrganizationsWebhooksController],
  providers: [WebhooksService, WebhooksRepository],
  exports: [WebhooksRepository],
})
export class WebhooksModule {}
