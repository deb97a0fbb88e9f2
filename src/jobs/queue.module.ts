import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { JobsService } from './jobs.service';
import { redisConnection } from './redis-connection';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES, WEBHOOK_QUEUE } from './jobs.types';

/** BullMQ connection (REDIS_URL, QUEUE_PREFIX) and the lifecycle queue, for producers (API) and the worker alike. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        prefix: config.queuePrefix,
        connection: redisConnection(config.redisUrl),
      }),
    }),
    BullModule.registerQueue(
      { name: LIFECYCLE_QUEUE },
      { name: VERIFY_QUEUES.google },
      { name: VERIFY_QUEUES.office365 },
      { name: WEBHOOK_QUEUE },
    ),
  ],
  providers: [JobsService],
  exports: [JobsService, BullModule],
})
export class QueueModule {}
