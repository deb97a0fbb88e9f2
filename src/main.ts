import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './bootstrap';
import { exitOnStartupError, preflight } from './common/boot/preflight';
import { AppConfigService } from './config/app-config.service';

async function main(): Promise<void> {
  await preflight({ database: true, redis: true });
  // abortOnError=false: any other startup error rejects here and ends in one clear message.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const config = app.get(AppConfigService);
  configureApp(app);
  await app.listen(config.port);
  Logger.log(`API listening on http://localhost:${config.port} (docs: /docs)`, 'Bootstrap');
}

main().catch(exitOnStartupError('API'));
