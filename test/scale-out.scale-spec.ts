import { delegatedOrg } from './utils/delegated-org';
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

const MEMBERS = 20_000;
/** The verification rate limit (per second, every worker together). */
const RATE = 400;

/**
 * Scale-out on the engines the service already uses: two worker processes on one 20,000-member enable. Each member
 * is provisioned once, the verification rate limit holds across both workers (BullMQ's limiter lives in Redis), and
 * killing one worker mid-run still completes the run. Long (20,000 verifications at the rate limit against the
 * in-process fakes): `npm run build && npm run test:scale`, outside `npm test`.
 */
describe('Scale-out: two workers on one 20,000-member enable (real processes)', () => {
  let h: ProcessHarness;
  let redis: TestRedis;
  const children: Spawned['child'][] = [];

  beforeAll(async () => {
    h = await startHarness();
    redis = await TestRedis.start();
  }, 60_000);
  afterAll(async () => {
    for (const child of children) await kill(child);
    await redis?.stop();
    await h?.close();
  });

  it('provisions each member once, keeps the global rate, and survives losing a worker', async () => {
    const env = {
      REDIS_URL: redis.url,
      WORKER_LOCK_DURATION_MS: '2000',
      OUTBOX_POLL_INTERVAL_MS: '200',
      PROVISION_BATCH_SIZE: '1000',
      VERIFY_RATE_GOOGLE_PER_SECOND: String(RATE),
      WORKER_CONCURRENCY: '4',
    };
    const api = await ApiProcess.start(env);
    children.push(api.child);
    h.setApi(api);
    const workers = [await startWorkerProcess(env), await startWorkerProcess(env)];
    children.push(...workers.map((w) => w.child));

    const o = await delegatedOrg(h, 'google', { enabled: false });
    const emails = Array.from({ length: MEMBERS - 1 }, (_, i) => `w${i}@${o.domain}`);
    await h.prisma.$executeRaw`
      WITH u AS (
        INSERT INTO "User" (email, name, "updatedAt") SELECT e, e, now() FROM unnest(${emails}::text[]) e RETURNING id)
      INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
      SELECT id, ${o.org.id}, 'MEMBER', true, now() FROM u`;
    for (const email of emails) h.fake.addGoogleUser(email);
    const checksBefore = h.fake.callTimes('google.calendarList').length;
    await o.setEnabled(true);

    const connected = () =>
      h.prisma.credential.count({ where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' } });
    // Both workers take verification jobs; one is killed a few thousand members in.
    await waitFor(async () => (await connected()) >= 3000, 120_000, 'verification under way');
    await kill(workers[0].child);
    await waitFor(async () => (await connected()) === MEMBERS, 600_000, 'every member connected');

    const [counts] = await h.prisma.$queryRaw<{ rows: number; members: number }[]>`
      SELECT count(*)::int AS rows, count(DISTINCT "userId")::int AS members FROM "Credential"
      WHERE "delegationCredentialId" = ${o.dcId}::uuid`;
    expect(counts).toEqual({ rows: MEMBERS, members: MEMBERS });
    expect(await h.prisma.selectedCalendar.count({ where: { delegationCredentialId: o.dcId } })).toBe(
      MEMBERS,
    );
    expect(await h.prisma.jobIntent.count()).toBe(0);

    // The limiter is global: both workers together stayed at the rate (a per-worker limit would allow twice as much).
    const times = h.fake.callTimes('google.calendarList').slice(checksBefore);
    expect(times.length).toBeGreaterThanOrEqual(MEMBERS);
    const perSecond = new Map<number, number>();
    for (const at of times)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    const busiest = Math.max(...perSecond.values());
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    process.stdout.write(
      `[scale-out] ${times.length} verifications in ${seconds.toFixed(1)} s ` +
        `(${(times.length / seconds).toFixed(0)}/s), busiest second ${busiest} (limit ${RATE}/s)\n`,
    );
    expect(times.length / seconds).toBeLessThanOrEqual(RATE * 1.1);
  }, 900_000);
});
