import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createTestApp, type TestApp } from './utils/app';
import { waitFor } from './utils/worker';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A throwaway redis-server of this test only (the shared one is never stopped). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  await waitFor(
    () =>
      probe
        .connect()
        .then(() => probe.ping())
        .then((r) => r === 'PONG')
        .catch(() => false),
    10_000,
    'redis-server to start',
  );
  probe.disconnect();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Rate limiting must not take the API down: with its Redis gone, requests pass (unlimited) instead of failing. */
describe('Rate limits without Redis (e2e)', () => {
  const saved = { ...process.env };
  let port: number;
  let redis: ChildProcess;
  let t: TestApp;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    Object.assign(process.env, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_DEFAULT_LIMIT_API_KEY: '2',
    });
    t = await createTestApp();
  });

  afterAll(async () => {
    await stopRedis(redis);
    // Closing with its Redis down: no restart needed first (test/shutdown-redis-down.e2e-spec.ts).
    await t.close();
    process.env = saved;
  });

  it('lets requests through while Redis is down, and limits again once it is back', async () => {
    const { auth } = await t.fixtures.orgWithAdmin();
    const http = () => request(t.app.getHttpServer());
    const first = await http().get('/v2/conferencing').set(auth).expect(200);
    expect(first.headers['x-ratelimit-limit-default']).toBe('2');

    await stopRedis(redis);
    for (let i = 0; i < 3; i++) {
      const res = await http().get('/v2/conferencing').set(auth).expect(200);
      expect(res.headers['x-ratelimit-limit-default']).toBeUndefined();
    }

    redis = await startRedis(port); // an empty Redis: the counts start over
    await waitFor(
      async () =>
        (await http().get('/v2/conferencing').set(auth)).headers['x-ratelimit-limit-default'] === '2',
      15_000,
      'the limiter to reconnect',
    );
    await http().get('/v2/conferencing').set(auth).expect(200);
    await http().get('/v2/conferencing').set(auth).expect(429);
  }, 60_000);
});
