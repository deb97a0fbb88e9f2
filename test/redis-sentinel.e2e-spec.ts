import { Redis } from 'ioredis';
import request from 'supertest';
import { LIFECYCLE_QUEUE } from '../src/jobs/jobs.types';
import { delegatedOrg } from './utils/delegated-org';
import {
  ApiProcess,
  freePort,
  kill,
  type ProcessHarness,
  type Spawned,
  startHarness,
  startWorkerProcess,
  TestRedis,
  TestSentinel,
} from './utils/processes';
import { waitFor } from './utils/worker';

const MASTER = 'mymaster';
const MEMBERS = 3;

/** One command to the redis-server on `port` (a test's own, never the shared one). */
async function on<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

/** Keys matching `pattern` on the redis-server on `port` (SCAN). */
async function keys(port: number, pattern: string): Promise<string[]> {
  return on(port, async (client) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...page);
      cursor = next;
    } while (cursor !== '0');
    return found;
  });
}

const roleOf = (port: number): Promise<string> =>
  on(port, async (client) => /role:(\w+)/.exec(await client.info('replication'))?.[1] ?? '');

/**
 * Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_MASTER_NAME), with real API and worker processes (`dist/`), a
 * master, a replica and a sentinel of this test's own, and REDIS_URL pointing at a port where nothing listens: every
 * Redis client of the service (readiness, BullMQ queues and workers, rate-limit counters) reaches the master the
 * sentinel names — before and after a failover to the replica.
 */
describe('Redis Sentinel (real processes)', () => {
  let h: ProcessHarness;
  let master: TestRedis;
  let replica: TestRedis;
  let sentinel: TestSentinel;
  let api: ApiProcess | undefined;
  let worker: Spawned | undefined;
  const prefix = process.env.QUEUE_PREFIX!;

  beforeAll(async () => {
    h = await startHarness();
    master = await TestRedis.start();
    replica = await TestRedis.start(['--replicaof', '127.0.0.1', String(master.port)]);
    sentinel = await TestSentinel.start(master.port, MASTER);
    const env = {
      // Nothing listens there: only the sentinel can lead the service to Redis.
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_SENTINELS: sentinel.address,
      REDIS_SENTINEL_MASTER_NAME: MASTER,
      WORKER_LOCK_DURATION_MS: '2000',
      OUTBOX_POLL_INTERVAL_MS: '200',
      VERIFY_RATE_GOOGLE_PER_SECOND: '500',
      SHUTDOWN_TIMEOUT_MS: '5000',
      RECONCILE_INTERVAL_SECONDS: '0',
    };
    api = await ApiProcess.start(env);
    h.setApi(api);
    worker = await startWorkerProcess(env);
  }, 120_000);
  afterAll(async () => {
    await kill(worker?.child);
    await kill(api?.child);
    await sentinel?.stop();
    await replica?.stop();
    await master?.stop();
    await h?.close();
  });

  const http = () => request(api!.url);

  /** An org whose credential is enabled with MEMBERS members besides the admin; resolves once all are connected. */
  async function enableAndConnect(): Promise<void> {
    const o = await delegatedOrg(h, 'google', { enabled: false });
    for (let i = 0; i < MEMBERS; i++) await o.member();
    await o.setEnabled(true);
    await waitFor(
      async () =>
        (await h.prisma.credential.count({
          where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' },
        })) ===
        MEMBERS + 1,
      60_000,
      'every member connected by the worker',
    );
  }

  it('readiness, jobs and rate-limit counters use the master the sentinel names', async () => {
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.info.jobs).toMatchObject({ redis: 'up' });

    await enableAndConnect();

    // BullMQ's keys and the rate-limit counters are on the master (and nowhere else could they be).
    expect((await keys(master.port, `${prefix}:${LIFECYCLE_QUEUE}:*`)).length).toBeGreaterThan(0);
    expect((await keys(master.port, `${prefix}:rate-limit:*`)).length).toBeGreaterThan(0);
    expect(await roleOf(master.port)).toBe('master');
  }, 90_000);

  it('a worker whose sentinels cannot be reached, or do not know the master, refuses to start naming them', async () => {
    const closed = await freePort();
    const base = { REDIS_URL: 'redis://:s3cret@127.0.0.1:1', REDIS_SENTINEL_PASSWORD: 'sentinel-s3cret' };
    const refused = (env: Record<string, string>) =>
      startWorkerProcess({ ...base, ...env }).then(
        () => 'started',
        (error: Error) => error.message,
      );
    const unreachable = await refused({
      REDIS_SENTINELS: `127.0.0.1:${closed}`,
      REDIS_SENTINEL_MASTER_NAME: MASTER,
    });
    expect(unreachable).toContain(
      `Cannot reach Redis at master "${MASTER}" via sentinels 127.0.0.1:${closed} (REDIS_SENTINELS)`,
    );
    const unknown = await refused({
      REDIS_SENTINELS: sentinel.address,
      REDIS_SENTINEL_MASTER_NAME: 'nosuchmaster',
    });
    expect(unknown).toContain(
      `Cannot reach Redis at master "nosuchmaster" via sentinels ${sentinel.address} (REDIS_SENTINELS)`,
    );
    process.stdout.write(`[redis-sentinel] refusals:\n${unreachable}\n${unknown}\n`);
    expect(unreachable + unknown).not.toMatch(/s3cret/);
  }, 60_000);

  it('keeps working after a Sentinel failover to the replica', async () => {
    // The sentinel must know the replica as a healthy one before it can promote it.
    await waitFor(
      async () => {
        const replicas = (await sentinel.command('SENTINEL', 'REPLICAS', MASTER)) as string[][];
        return replicas.some((fields) => {
          const info = Object.fromEntries(
            fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])),
          ) as Record<string, string>;
          return (
            Number(info.port) === replica.port &&
            info.flags === 'slave' &&
            info['master-link-status'] === 'ok'
          );
        });
      },
      30_000,
      'the sentinel to see the replica',
    );
    const started = Date.now();
    await sentinel.command('SENTINEL', 'FAILOVER', MASTER);
    await waitFor(
      async () =>
        (await sentinel.masterPort()) === replica.port &&
        (await roleOf(replica.port)) === 'master' &&
        (await roleOf(master.port)) === 'slave',
      30_000,
      'the failover to complete',
    );
    process.stdout.write(`[redis-sentinel] failover completed in ${Date.now() - started} ms\n`);

    await waitFor(
      async () => (await http().get('/health/ready')).body?.info?.jobs?.redis === 'up',
      20_000,
      'readiness to report Redis up on the new master',
    );
    const before = new Set(await keys(replica.port, `${prefix}:rate-limit:*`));
    const jobsStarted = Date.now();
    await enableAndConnect();
    process.stdout.write(
      `[redis-sentinel] enable after failover: ${MEMBERS + 1} members connected in ${Date.now() - jobsStarted} ms\n`,
    );
    // The new org's rate-limit counter was written to the new master (the old one is a read-only replica now).
    const after = await keys(replica.port, `${prefix}:rate-limit:*`);
    expect(after.filter((key) => !before.has(key)).length).toBeGreaterThan(0);
    expect(worker!.child.exitCode).toBeNull();
    expect(api!.child.exitCode).toBeNull();
  }, 120_000);
});
