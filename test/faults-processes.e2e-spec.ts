import http from 'node:http';
import { Redis } from 'ioredis';
import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import {
  ApiProcess,
  exited,
  kill,
  type ProcessHarness,
  type Spawned,
  startHarness,
  startWorkerProcess,
  TestRedis,
} from './utils/processes';
import { waitFor } from './utils/worker';

const DEADLINE_MS = 3000;

/** Ends every other connection to the test database (API pools, worker pools, this harness's idle ones). */
const terminateBackends = (h: ProcessHarness) =>
  h.prisma.$queryRaw`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()`;

/**
 * Faults with real processes (`dist/`) on loopback, each bounded in time: SIGTERM (graceful, with a deadline even
 * when Redis is unreachable), PostgreSQL connections killed during requests and during provisioning.
 */
describe('Faults: shutdown and PostgreSQL (real processes)', () => {
  let h: ProcessHarness;
  let redis: TestRedis;
  const children: Spawned['child'][] = [];
  const env = () => ({
    REDIS_URL: redis.url,
    WORKER_LOCK_DURATION_MS: '2000',
    OUTBOX_POLL_INTERVAL_MS: '200',
    SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
    VERIFY_RATE_GOOGLE_PER_SECOND: '500',
  });
  const api = async (extra: Record<string, string> = {}) => {
    const started = await ApiProcess.start({ ...env(), ...extra });
    children.push(started.child);
    h.setApi(started);
    return started;
  };
  const worker = async (extra: Record<string, string> = {}) => {
    const started = await startWorkerProcess({ ...env(), ...extra });
    children.push(started.child);
    return started;
  };

  beforeAll(async () => {
    h = await startHarness();
    redis = await TestRedis.start();
  }, 60_000);
  afterAll(async () => {
    for (const child of children) await kill(child);
    await redis?.stop();
    await h?.close();
  });
  afterEach(async () => {
    // Every test starts from no API or worker process of an earlier one (a worker configured for another test would
    // take this test's jobs).
    for (const child of children.splice(0)) await kill(child);
    if (!(await redis.ping())) await redis.start();
    await redis.flush();
  });

  it('a worker SIGTERMed while its Redis is unreachable exits cleanly (0) within SHUTDOWN_TIMEOUT_MS', async () => {
    const w = await worker();
    await redis.stop();
    const started = Date.now();
    w.child.kill('SIGTERM');
    const exit = await Promise.race([
      exited(w.child),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), DEADLINE_MS + 10_000)),
    ]);
    const took = Date.now() - started;
    process.stdout.write(
      `[faults] worker exited ${took} ms after SIGTERM (Redis down): ${JSON.stringify(exit)}\n`,
    );
    // Exit 0: a clean shutdown, not the deadline's forced exit (1) — its connections closed despite the outage.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(DEADLINE_MS);
    expect(w.output()).not.toMatch(/closed with errors|draining failed|did not finish/);
  }, 60_000);

  it('a worker on a Redis that evicts keys and has no AOF warns at boot, naming the fix, and still starts', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const w = await worker();
      await waitFor(() => Promise.resolve(w.output().includes('appendonly yes')), 10_000, 'the AOF warning');
      expect(w.output()).toContain(
        'Redis maxmemory-policy is \\"allkeys-lru\\": BullMQ requires \\"noeviction\\"',
      );
      expect(w.child.exitCode).toBeNull();
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  }, 60_000);

  it('a worker on a Redis with noeviction and AOF on says nothing about them', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'appendonly', 'yes');
      const w = await worker();
      // The check runs right before "Worker started" (src/worker.ts): nothing more to wait for.
      expect(w.output()).not.toMatch(/maxmemory-policy|AOF\) is off/);
    } finally {
      await admin.config('SET', 'appendonly', 'no');
      admin.disconnect();
    }
  }, 60_000);

  it('the API SIGTERMed under load: in-flight requests complete, new ones are refused, no 5xx, exit 0', async () => {
    const a = await api();
    const o = await delegatedOrg(h, 'google', { enabled: false });
    const path = `/v2/organizations/${o.org.id}/delegation-credentials`;
    const statuses: number[] = [];
    const refused: string[] = [];
    // One fresh connection per request (no keep-alive reuse racing the close of idle connections).
    const one = () =>
      new Promise<void>((resolve) => {
        const req = http.get(`${a.url}${path}`, { headers: o.auth, agent: false }, (res) => {
          res.resume();
          res.on('end', () => {
            statuses.push(res.statusCode ?? 0);
            resolve();
          });
        });
        req.on('error', (error: NodeJS.ErrnoException) => {
          refused.push(error.code ?? error.message);
          resolve();
        });
      });
    // A first wave in flight when the signal arrives, then a second one after it.
    const first = Array.from({ length: 40 }, one);
    await waitFor(() => Promise.resolve(statuses.length > 0), 10_000, 'the first answers');
    a.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = Array.from({ length: 20 }, one);
    await Promise.all([...first, ...second]);
    const exit = await exited(a.child);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    // Requests after the listening socket closed are refused: the connection is refused, or reset while it still
    // waited in the kernel's accept queue — never accepted by the app and dropped half-way.
    process.stdout.write(
      `[faults] SIGTERM under load: ${statuses.length} answered 200, refused: ${refused.join(',')}\n`,
    );
    expect(refused.filter((code) => code !== 'ECONNREFUSED' && code !== 'ECONNRESET')).toEqual([]);
    expect(statuses.length + refused.length).toBe(60);
  }, 60_000);

  it('the API SIGTERMed while Redis is stopped and its PostgreSQL connections killed exits cleanly (0) within the deadline', async () => {
    const a = await api();
    await redis.stop();
    await terminateBackends(h);
    const started = Date.now();
    a.child.kill('SIGTERM');
    const exit = await Promise.race([
      exited(a.child),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), DEADLINE_MS + 10_000)),
    ]);
    const took = Date.now() - started;
    process.stdout.write(
      `[faults] API exited ${took} ms after SIGTERM (Redis down): ${JSON.stringify(exit)}\n`,
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(DEADLINE_MS);
    expect(a.spawned.output()).not.toMatch(/closed with errors|draining failed|did not finish/);
  }, 60_000);

  it('PostgreSQL connections killed during requests: 200 or 503 in the error envelope, never a hang; then 200', async () => {
    await api();
    const o = await delegatedOrg(h, 'google', { enabled: false });
    const client = () => request(h.app.getHttpServer());
    const path = `/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`;
    const answers: { status: number; body: { status?: string; error?: { code?: string } } }[] = [];
    for (let round = 0; round < 5; round++) {
      const wave = Array.from({ length: 10 }, () =>
        client()
          .get(path)
          .set(o.auth)
          .timeout(10_000)
          .then((res) => answers.push({ status: res.status, body: res.body as never })),
      );
      await terminateBackends(h);
      await Promise.all(wave);
    }
    expect(answers).toHaveLength(50);
    for (const answer of answers) {
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503)
        expect(answer.body).toMatchObject({
          status: 'error',
          error: { code: 'ServiceUnavailableException' },
        });
    }
    process.stdout.write(
      `[faults] killed connections during requests: ${answers.filter((a) => a.status === 503).length} × 503, ` +
        `${answers.filter((a) => a.status === 200).length} × 200\n`,
    );
    await client().get(path).set(o.auth).timeout(10_000).expect(200);
  }, 120_000);

  it('PostgreSQL connections killed during provisioning: the job completes after reconnecting, exact counts', async () => {
    await api();
    await worker({ PROVISION_BATCH_SIZE: '100' });
    const o = await delegatedOrg(h, 'google', { enabled: false });
    const members = 3000;
    await h.prisma.$executeRaw`
      WITH u AS (
        INSERT INTO "User" (email, name, "updatedAt")
        SELECT 'p' || g || '-' || ${uniq()} || '@' || ${o.domain}, 'p' || g, now() FROM generate_series(1, ${members}) g
        RETURNING id)
      INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
      SELECT id, ${o.org.id}, 'MEMBER', true, now() FROM u`;
    await o.setEnabled(true);
    const count = () => h.prisma.credential.count({ where: { delegationCredentialId: o.dcId } });
    await waitFor(async () => (await count()) > 0, 60_000, 'provisioning to start');
    let kills = 0;
    while ((await count()) < members + 1 && kills < 5) {
      await terminateBackends(h);
      kills++;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await waitFor(async () => (await count()) === members + 1, 120_000, 'provisioning to complete');
    const [dupes] = await h.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (SELECT "userId" FROM "Credential" WHERE "delegationCredentialId" = ${o.dcId}::uuid
      GROUP BY "userId" HAVING count(*) > 1) d`;
    expect(dupes.n).toBe(0);
    expect(await h.prisma.selectedCalendar.count({ where: { delegationCredentialId: o.dcId } })).toBe(
      members + 1,
    );
    expect(await h.prisma.jobIntent.count()).toBe(0);
    process.stdout.write(`[faults] provisioning survived ${kills} rounds of killed connections\n`);
  }, 240_000);

  it('worker SIGKILLed mid-cleanup: a restarted worker completes it, preferences kept, nothing left', async () => {
    await api();
    const first = await worker({ PROVISION_BATCH_SIZE: '50' });
    const o = await delegatedOrg(h, 'google', { enabled: false });
    const members = 3000;
    await h.prisma.$executeRaw`
      WITH u AS (
        INSERT INTO "User" (email, name, "updatedAt")
        SELECT 'c' || g || '-' || ${uniq()} || '@' || ${o.domain}, 'c' || g, now() FROM generate_series(1, ${members}) g
        RETURNING id)
      INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
      SELECT id, ${o.org.id}, 'MEMBER', true, now() FROM u`;
    await o.setEnabled(true);
    const count = () => h.prisma.credential.count({ where: { delegationCredentialId: o.dcId } });
    await waitFor(async () => (await count()) === members + 1, 120_000, 'provisioning');
    await o.setEnabled(false);
    await waitFor(async () => (await count()) < members + 1, 60_000, 'the cleanup to start');
    await kill(first.child);
    const atKill = await count();
    expect(atKill).toBeGreaterThan(0);
    await worker({ PROVISION_BATCH_SIZE: '50' });
    await waitFor(async () => (await count()) === 0, 120_000, 'the cleanup to complete after restart');
    expect(await h.prisma.selectedCalendar.count({ where: { delegationCredentialId: o.dcId } })).toBe(
      members + 1,
    );
    expect(await h.prisma.jobIntent.count()).toBe(0);
    process.stdout.write(
      `[faults] cleanup SIGKILLed with ${atKill} member credentials left; completed after restart\n`,
    );
  }, 300_000);

  it('worker SIGKILLed mid-webhook-delivery: redelivered after restart with the same event id, one event', async () => {
    const webhookEnv = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: '3000' };
    await api(webhookEnv);
    const first = await worker(webhookEnv);
    const received: { eventId: string; body: string }[] = [];
    let hold = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ eventId: String(req.headers['x-cal-webhook-event-id']), body });
        if (hold) return; // the first delivery never gets an answer: its worker is killed meanwhile
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const o = await delegatedOrg(h, 'google');
      await request(h.app.getHttpServer())
        .post(`/v2/organizations/${o.org.id}/webhooks`)
        .set(o.auth)
        .send({
          subscriberUrl: `http://127.0.0.1:${port}/hook`,
          active: true,
          triggers: ['DELEGATION_CREDENTIAL_ERROR'],
        })
        .expect(201);
      h.fake.revokeDomainWideDelegation(o.domain, o.clientId);
      const verified = await request(h.app.getHttpServer())
        .post(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}/verify`)
        .set(o.auth)
        .expect(200);
      expect(verified.body.data.verified).toBe(false);
      await waitFor(() => Promise.resolve(received.length === 1), 30_000, 'the first delivery');
      await kill(first.child);
      hold = false;
      await worker(webhookEnv);
      await waitFor(() => Promise.resolve(received.length >= 2), 60_000, 'the redelivery');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // nothing more may arrive
      expect(received).toHaveLength(2);
      expect(received[1]).toEqual(received[0]); // same X-Cal-Webhook-Event-Id and bytes: the receiver deduplicates
      expect(await h.prisma.jobIntent.count()).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);
});
