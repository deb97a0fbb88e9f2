import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/bootstrap';
import { PrismaService } from '../../src/prisma/prisma.service';
import { Fixtures } from './fixtures';

export interface TestApp {
  app: NestExpressApplication;
  prisma: PrismaService;
  fixtures: Fixtures;
  close(): Promise<void>;
}

/** The full AppModule with the production configureApp(), over real PostgreSQL and Redis. */
export async function createTestApp(): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: ['error'],
  });
  configureApp(app);
  await app.init();
  const prisma = app.get(PrismaService);
  return { app, prisma, fixtures: new Fixtures(prisma), close: () => app.close() };
}
