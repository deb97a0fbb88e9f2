import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import {
  ApiProcess,
  kill,
  type ProcessHarness,
  type Spawned,
  startHarness,
  startWorkerProcess,
  TestRedis,
} from './utils/processes';
import { waitFor } from './utils/worker';

/** Seeded members besides the admin. */
const SEEDED = 30;
/** Every request must be answered well within this, Redis or not (the issue measured no answer at all in 15 s). */
const ANSWER_WITHIN_MS = 10_000;

/**
 * Redis stopped (a redis-server of this test, without persistence: every queued job is lost with it) during an
 * enable, membership changes and a disable, with real API and worker processes (`dist/`): writes answer as
 * committed at once, reads keep working, an API restarted during the outage starts and serves, and once Redis is
 * back the work runs from the job intents in PostgreSQL — members end exactly as they should, no duplicates, no
 * request repeated.
 */
describe('Faults: Redis down during changes (real processes)', () => {
  let h: ProcessHarness;
  let redis: TestRedis;
  let api: ApiProcess | undefined;
  let worker: Spawned | undefined;
  const env = () => ({
    REDIS_URL: redis.url,
    WORKER_LOCK_DURATION_MS: '2000',
    OUTBOX_POLL_INTERVAL_MS: '200',
    VERIFY_RATE_GOOGLE_PER_SECOND: '500',
    SHUTDOWN_TIMEOUT_MS: '5000',
    RECONCILE_INTERVAL_SECONDS: '0',
  });

  beforeAll(async () => {
    h = await startHarness();
    redis = await TestRedis.start();
    api = await ApiProcess.start(env());
    h.setApi(api);
    worker = await startWorkerProcess(env());
  }, 120_000);
  afterAll(async () => {
    await kill(worker?.child);
    await kill(api?.child);
    await redis?.stop();
    await h?.close();
  });

  /** A request to the current API process, answered within ANSWER_WITHIN_MS (or the test fails). */
  const http = () => request(api!.url);
  const timed = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await call();
    // Not a performance assertion: the point is that it answers at all (before: no answer, ever).
    process.stdout.write(`[faults-redis] ${what} answered in ${Date.now() - started} ms with Redis down\n`);
    return result;
  };

  it('enable, membership changes and disable during an outage: answered at once, done exactly once Redis is back', async () => {
    const o = await delegatedOrg(h, 'google', { enabled: false });
    const base = `/v2/organizations/${o.org.id}`;
    const dcBase = `${base}/delegation-credentials/${o.dcId}`;
    const emails = Array.from({ length: SEEDED }, (_, i) => `s${i}-${uniq()}@${o.domain}`);
    await h.prisma.$executeRaw`
      WITH u AS (
        INSERT INTO "User" (email, name, "updatedAt") SELECT e, e, now() FROM unnest(${emails}::text[]) e RETURNING id)
      INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
      SELECT id, ${o.org.id}, 'MEMBER', true, now() FROM u`;
    for (const email of emails) h.fake.addGoogleUser(email);
    const leaving = await h.prisma.user.findUniqueOrThrow({ where: { email: emails[0] } });
    const joiningEmail = `joining-${uniq()}@${o.domain}`;
    h.fake.addGoogleUser(joiningEmail);
    const credentials = () => h.prisma.credential.findMany({ where: { delegationCredentialId: o.dcId } });
    const intents = () => h.prisma.jobIntent.count();

    // --- Redis goes down; the admin enables, a member joins, another leaves.
    await redis.stop();
    await timed('PATCH enable', () =>
      http().patch(dcBase).set(o.auth).send({ enabled: true }).timeout(ANSWER_WITHIN_MS).expect(200),
    );
    const joined = await timed('POST user', () =>
      http()
        .post(`${base}/users`)
        .set(o.auth)
        .send({ email: joiningEmail, autoAccept: true })
        .timeout(ANSWER_WITHIN_MS)
        .expect(201),
    );
    const joiningId = joined.body.data.id as number;
    await timed('DELETE user', () =>
      http().delete(`${base}/users/${leaving.id}`).set(o.auth).timeout(ANSWER_WITHIN_MS).expect(200),
    );
    // Reads keep working.
    const read = await http().get(dcBase).set(o.auth).timeout(ANSWER_WITHIN_MS).expect(200);
    expect(read.body.data).toMatchObject({ enabled: true, status: 'active' });
    await http().get(`${base}/memberships`).set(o.auth).timeout(ANSWER_WITHIN_MS).expect(200);
    const ready = await http().get('/health/ready').timeout(ANSWER_WITHIN_MS).expect(200);
    expect(ready.body.info.jobs).toMatchObject({ redis: 'down', pendingIntents: 3 });

    // The work is committed as intents (provision + two member syncs), and nothing ran.
    expect(await intents()).toBe(3);
    expect(await credentials()).toEqual([]);

    // --- Every API process restarts while Redis is still down: it starts, serves, and nothing is lost.
    const stopped = await api!.stop();
    expect({ ...stopped, output: stopped.code === 0 ? '' : api!.spawned.output() }).toEqual({
      code: 0,
      signal: null,
      output: '',
    });
    api = await ApiProcess.start(env());
    h.setApi(api);
    await http().get(dcBase).set(o.auth).timeout(ANSWER_WITHIN_MS).expect(200);
    expect(await intents()).toBe(3);

    // --- Redis is back (empty: it had no persistence): the intents are dispatched and the work runs once.
    await redis.start();
    const expected = SEEDED + 1; // admin + seeded − leaving + joining
    await waitFor(
      async () =>
        (await intents()) === 0 &&
        (await h.prisma.credential.count({
          where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' },
        })) === expected,
      60_000,
      'every matching member connected after Redis returned',
    );
    const rows = await credentials();
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(expected);
    expect(rows.map((r) => r.userId)).toContain(joiningId);
    expect(rows.map((r) => r.userId)).not.toContain(leaving.id);
    expect(await h.prisma.selectedCalendar.count({ where: { delegationCredentialId: o.dcId } })).toBe(
      expected,
    );

    // --- Down again during a disable: answered at once; the cleanup runs when Redis is back.
    await redis.stop();
    await timed('PATCH disable', () =>
      http().patch(dcBase).set(o.auth).send({ enabled: false }).timeout(ANSWER_WITHIN_MS).expect(200),
    );
    expect(await intents()).toBe(1);
    expect(await h.prisma.credential.count({ where: { delegationCredentialId: o.dcId } })).toBe(expected);
    await redis.start();
    await waitFor(
      async () =>
        (await intents()) === 0 &&
        (await h.prisma.credential.count({ where: { delegationCredentialId: o.dcId } })) === 0,
      60_000,
      'the cleanup after Redis returned',
    );
    // Preferences survive a disable.
    expect(
      await h.prisma.selectedCalendar.count({ where: { userId: { in: rows.map((r) => r.userId) } } }),
    ).toBe(expected);
  }, 240_000);
});
