import { Module } from '@nestjs/common';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhooksRepository } from './webhooks.repository';

/** Org webhooks, worker side: the delivery worker (imported by WorkerModule; config, Prisma, crypto are global). */
@Module({ providers: [WebhooksRepository, WebhookDeliveryWorker] })
export class WebhookDeliveryModule {}
