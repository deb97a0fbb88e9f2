import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './lifecycle/worker.module';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { exitOnStartupError, preflight } from './common/boot/preflight';
import { handleShutdownSignals } from './common/boot/shutdown';
import { AppConfigService } from './config/app-config.service';
import { LifecycleWorker } from './lifecycle/lifecycle.worker';
import { REDIS } from './redis/redis.module';
import { warnOnUnsafeRedisSettings } from './redis/redis-settings';
import { VerificationWorkers } from './lifecycle/verification.workers';
import { WebhookDeliveryWorker } from './webhooks/webhook-delivery.worker';

/** Worker entrypoint (`npm run worker`): processes lifecycle, verification and webhook jobs from Redis until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  await preflight({ database: true, redis: true });
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  // SIGTERM: the BullMQ workers finish their jobs in flight (or hand them back: another worker resumes them after
  // their lock), then the app closes — within SHUTDOWN_TIMEOUT_MS, even when Redis is unreachable.
  handleShutdownSignals({
    processName: 'Worker',
    timeoutMs: app.get(AppConfigService).durability.shutdownTimeoutMs,
    drain: async () => {
      await Promise.all([
        app.get(LifecycleWorker).close(),
        app.get(VerificationWorkers).close(),
        app.get(WebhookDeliveryWorker).close(),
      ]);
    },
    close: () => app.close(),
  });
  await warnOnUnsafeRedisSettings(app.get(REDIS));
  Logger.log('Worker started', 'Worker');
}

main().catch(exitOnStartupError('Worker'));
