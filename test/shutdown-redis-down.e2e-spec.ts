import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, type TestApp } from './utils/app';
import { TestRedis } from './utils/processes';
import { startInProcessWorker } from './utils/worker';

/** SHUTDOWN_TIMEOUT_MS of this file: every close below must be done well within it. */
const DEADLINE_MS = 3000;

/** Resolves with how long `close()` took, or rejects with its error; 'hung' after DEADLINE_MS + 5 s. */
async function timedClose(close: () => Promise<void>): Promise<number | 'hung'> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), DEADLINE_MS + 5000);
  });
  try {
    return await Promise.race([close().then(() => Date.now() - started), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `app.close()` of the API and of the worker with their Redis stopped (a redis-server of this file): it resolves —
 * no "Stream isn't writeable and enableOfflineQueue options is false" rejection from BullMQ's Queue/Worker close,
 * no wait for a Redis that does not answer — within SHUTDOWN_TIMEOUT_MS. Before: the API's close rejected and the
 * worker's never finished.
 */
describe('Shutdown with Redis down (in process)', () => {
  const saved = { ...process.env };
  let redis: TestRedis;
  let api: TestApp | undefined;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    redis = await TestRedis.start();
    Object.assign(process.env, {
      REDIS_URL: redis.url,
      SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
      RECONCILE_INTERVAL_SECONDS: '0',
    });
  });
  afterAll(async () => {
    await redis.stop();
    process.env = saved;
  });

  it('the API closes cleanly and in time while its Redis is stopped', async () => {
    api = await createTestApp();
    await redis.stop();
    const took = await timedClose(() => api!.app.close());
    process.stdout.write(`[shutdown] API app.close() with Redis down: ${took} ms\n`);
    expect(took).not.toBe('hung');
    expect(took).toBeLessThan(DEADLINE_MS);
    await redis.start();
  }, 30_000);

  it('the worker closes cleanly and in time while its Redis is stopped', async () => {
    worker = await startInProcessWorker();
    // Its BullMQ workers are connected and blocked waiting for jobs when Redis goes away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.stop();
    const took = await timedClose(() => worker!.close());
    process.stdout.write(`[shutdown] worker app.close() with Redis down: ${took} ms\n`);
    expect(took).not.toBe('hung');
    expect(took).toBeLessThan(DEADLINE_MS);
    await redis.start();
  }, 30_000);
});
