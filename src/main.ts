import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureApp } from './bootstrap';
import { AppConfigService } from './config/app-config.service';

async function main(): Promise<void> {
  // Imported here so that a configuration error (thrown while the module graph loads) ends in one clear message.
  const { AppModule } = await import('./app.module.js');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  configureApp(app);
  const config = app.get(AppConfigService);
  await app.listen(config.port);
  Logger.log(`API listening on http://localhost:${config.port} (docs: /docs)`, 'Bootstrap');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
