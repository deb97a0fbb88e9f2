import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './bootstrap';
import { checkRedis, exitOnStartupError, preflight } from './common/boot/preflight';
import { closeHttpServer, handleShutdownSignals } from './common/boot/shutdown';
import { AppConfigService } from './config/app-config.service';

async function main(): Promise<void> {
  // PostgreSQL is required. Redis is not: changes and the jobs they need are committed to PostgreSQL (job intents)
  // and reach Redis once it answers, so an API restarted during a Redis outage still serves (README "Durability").
  await preflight({ database: true, redis: false });
  // abortOnError=false: any other startup error rejects here and ends in one clear message.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const config = app.get(AppConfigService);
  configureApp(app);
  await app.listen(config.port);
  // SIGTERM: in-flight requests complete, new connections are refused, then the app closes — within the deadline.
  handleShutdownSignals({
    processName: 'API',
    timeoutMs: config.durability.shutdownTimeoutMs,
    drain: () => closeHttpServer(app.getHttpServer()),
    close: () => app.close(),
  });
  Logger.log(`API listening on http://localhost:${config.port} (docs: /docs)`, 'Bootstrap');
  checkRedis(config.redis, 2000).catch((error: Error) =>
    Logger.warn(`${error.message}: serving anyway; jobs are dispatched once Redis answers`, 'Bootstrap'),
  );
}

main().catch(exitOnStartupError('API'));
