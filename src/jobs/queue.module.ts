import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ShutdownSafeQueue } from '../redis/closing';
import { JobsService } from './jobs.service';
import { IntentDispatcher } from './intent-dispatcher.service';
import { producerConnection } from './redis-connection';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES, WEBHOOK_QUEUE } from './jobs.types';

// Every queue registered below closes without hanging or rejecting while Redis is down (set before registerQueue
// runs, which reads it).
BullModule.queueClass = ShutdownSafeQueue;

/**
 * BullMQ producer connection (REDIS_URL, QUEUE_PREFIX; failing fast while Redis is down) and every queue, for the API
 * and the worker alike, and the job intent dispatcher that feeds them from the outbox.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        prefix: config.queuePrefix,
        connection: producerConnection(config.redisUrl),
      }),
    }),
    BullModule.registerQueue(
      { name: LIFECYCLE_QUEUE },
      { name: VERIFY_QUEUES.google },
      { name: VERIFY_QUEUES.office365 },
      { name: WEBHOOK_QUEUE },
    ),
  ],
  providers: [JobsService, IntentDispatcher],
  exports: [JobsService, IntentDispatcher, BullModule],
})
export class QueueModule {}
