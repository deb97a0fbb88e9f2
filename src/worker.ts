import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './lifecycle/worker.module';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { exitOnStartupError, preflight } from './common/boot/preflight';

/** Worker entrypoint (`npm run worker`): processes lifecycle, verification and webhook jobs from Redis until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  await preflight({ database: true, redis: true });
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  Logger.log('Worker started', 'Worker');
}

main().catch(exitOnStartupError('Worker'));
