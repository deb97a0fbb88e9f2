import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/bootstrap';
import { LOG_DESTINATION } from '../../src/observability/logging/logging.module';
import { PrismaService } from '../../src/prisma/prisma.service';
import { WorkspacePlatformsRepository } from '../../src/workspace-platforms/workspace-platforms.repository';
import { Fixtures } from './fixtures';
import { captureLogDestination, captureResponses } from './run-capture';

export interface TestApp {
  app: NestExpressApplication;
  prisma: PrismaService;
  fixtures: Fixtures;
  /** A BullMQ client of queue `name` on the test Redis (opened on first use; `close()` closes it first). */
  queue(name: string): Queue;
  /**
   * Resolves once no job intent is pending: every job a committed change recorded is in its queue (the dispatcher
   * deletes an intent only after queueing it). Throws after `timeoutMs`.
   */
  intentsDispatched(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Seed the Google Workspace and Microsoft 365 workspace platforms. */
  seedPlatforms?: boolean;
}

/**
 * The full AppModule with the production configureApp(), over real PostgreSQL and Redis. What it answers and logs is
 * also captured for the run's secret scan (see run-capture.ts).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(LOG_DESTINATION)
    .useValue(captureLogDestination)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: ['error'],
  });
  app.use(captureResponses);
  configureApp(app);
  await app.init();
  if (options.seedPlatforms) await app.get(WorkspacePlatformsRepository).seedDefaults();
  const prisma = app.get(PrismaService);
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let opened = queues.get(name);
    if (!opened) {
      opened = new Queue(name, {
        connection: { host: '127.0.0.1', port: 6379 },
        prefix: process.env.QUEUE_PREFIX,
      });
      queues.set(name, opened);
    }
    return opened;
  };
  const intentsDispatched = (timeoutMs = 10_000) => waitForIntents(prisma, timeoutMs);
  const close = async () => {
    // Jobs this file's changes recorded go to this file's queues, not to the next file's (they share the database).
    await intentsDispatched().catch(() => undefined);
    for (const opened of queues.values()) await opened.close();
    await app.close();
  };
  return { app, prisma, fixtures: new Fixtures(prisma), queue, intentsDispatched, close };
}

/**
 * Starts `start()` in a beforeAll and closes it in an afterAll of the calling describe block. The returned object
 * is filled in by the beforeAll: use it inside hooks and tests only. Where other resources must close first (a
 * worker, a receiver), call the create function in the describe block's own hooks instead.
 */
export function useForSuite<T extends { close(): Promise<void> }>(start: () => Promise<T>): T {
  const started = {} as T;
  beforeAll(async () => {
    Object.assign(started, await start());
  });
  afterAll(async () => {
    await started.close();
  });
  return started;
}

/** createTestApp() for the calling describe block (see useForSuite). */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  return useForSuite(() => createTestApp(options));
}

/** Resolves once the outbox is empty: every job intent recorded so far has been queued in BullMQ. */
export async function waitForIntents(prisma: PrismaService, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await prisma.jobIntent.count()) > 0) {
    if (Date.now() > deadline) throw new Error(`Job intents still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
