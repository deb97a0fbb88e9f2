import { Module } from '@nestjs/common';

/** Org webhooks (API side). */
@Module({})
export class WebhooksModule {}
