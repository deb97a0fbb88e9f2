import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES } from '../src/jobs/jobs.types';
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
/**
 * The verification rate limit (per second, every worker together). Below what two workers reach here without it
 * (about 150/s on 2 cores), so that it binds: a limit per worker would let the two of them exceed it.
 */
const RATE = 100;
/** One worker is killed once this many members are connected: half the run with two workers, half with one. */
const KILL_AT = MEMBERS / 2;
/** The whole run (20,000 verifications at RATE, plus boot and provisioning) must end within this. */
const RUN_WITHIN_MS = 330_000;

/**
 * Scale-out on the engines the service already uses: two worker processes on one 20,000-member enable. Each member
 * is provisioned once, the verification rate limit holds across both workers (BullMQ's limiter lives in Redis), and
 * killing one worker mid-run still completes the run; the database ends exact. About 3.5 minutes (20,000
 * verifications at RATE against the in-process fakes): `npm run build && npm run test:scale`, outside `npm test`;
 * `.ci/run` runs it.
 */
describe('Scale-out: two workers on one 20,000-member enable (real processes)', () => {
  let h: ProcessHarness;
  let redis: TestRedis;
  let verifyQueue: Queue | undefined;
  const children: Spawned['child'][] = [];

  beforeAll(async () => {
    h = await startHarness();
    redis = await TestRedis.start();
  }, 60_000);
  afterAll(async () => {
    await verifyQueue?.close();
    for (const child of children) await kill(child);
    await redis?.stop();
    await h?.close();
  });

  it(
    'provisions each member once, keeps the global rate, and survives losing a worker',
    async () => {
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

      const started = Date.now();
      const connected = () =>
        h.prisma.credential.count({ where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' } });
      // Both workers take verification jobs (each job records the worker process that took it: BullMQ's processedBy,
      // sampled from the active jobs); one is killed half-way.
      const queueOf = (name: string) =>
        new Queue(name, {
          connection: { host: '127.0.0.1', port: redis.port },
          prefix: process.env.QUEUE_PREFIX,
        });
      verifyQueue = queueOf(VERIFY_QUEUES.google);
      const takenBy = new Set<string>();
      await waitFor(
        async () => {
          for (const job of await verifyQueue!.getJobs(['active']))
            if (job.processedBy) takenBy.add(job.processedBy);
          return (await connected()) >= KILL_AT;
        },
        RUN_WITHIN_MS,
        `${KILL_AT} members connected`,
      );
      expect([...takenBy].sort()).toEqual(workers.map((w) => `${hostname()}:${w.child.pid}`).sort());
      const killedAt = Date.now();
      await kill(workers[0].child);
      await waitFor(
        async () => (await connected()) === MEMBERS,
        RUN_WITHIN_MS - (Date.now() - started),
        'every member connected',
      );
      const tookMs = Date.now() - started;

      const [counts] = await h.prisma.$queryRaw<{ rows: number; members: number }[]>`
      SELECT count(*)::int AS rows, count(DISTINCT "userId")::int AS members FROM "Credential"
      WHERE "delegationCredentialId" = ${o.dcId}::uuid`;
      expect(counts).toEqual({ rows: MEMBERS, members: MEMBERS });
      expect(await h.prisma.selectedCalendar.count({ where: { delegationCredentialId: o.dcId } })).toBe(
        MEMBERS,
      );
      expect(await h.prisma.jobIntent.count()).toBe(0);
      expect(
        await h.prisma.delegationCredential.findUniqueOrThrow({
          where: { id: o.dcId },
          select: { enabled: true, status: true },
        }),
      ).toEqual({ enabled: true, status: 'ACTIVE' });
      // Nothing given up: the jobs the killed worker held were taken over, not failed.
      const lifecycleQueue = queueOf(LIFECYCLE_QUEUE);
      try {
        expect(await verifyQueue.getJobCountByTypes('failed')).toBe(0);
        expect(await lifecycleQueue.getJobCountByTypes('failed')).toBe(0);
      } finally {
        await lifecycleQueue.close();
      }

      // The limiter is global: both workers together stayed at the rate (a per-worker limit would allow twice as much).
      const times = h.fake.callTimes('google.calendarList').slice(checksBefore);
      expect(times.length).toBeGreaterThanOrEqual(MEMBERS);
      const perSecond = new Map<number, number>();
      for (const at of times)
        perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
      const busiest = Math.max(...perSecond.values());
      const seconds = (times[times.length - 1] - times[0]) / 1000;
      // While both workers ran: at the limit, not above it (a limit per worker would allow twice as much).
      const both = times.filter((at) => at < killedAt);
      const bothRate = both.length / ((killedAt - both[0]) / 1000);
      process.stdout.write(
        `[scale-out] ${times.length} verifications in ${seconds.toFixed(1)} s ` +
          `(${(times.length / seconds).toFixed(0)}/s; ${bothRate.toFixed(0)}/s while both workers ran), ` +
          `busiest second ${busiest} (limit ${RATE}/s); whole run ${(tookMs / 1000).toFixed(0)} s\n`,
      );
      expect(bothRate).toBeLessThanOrEqual(RATE * 1.1);
      // …and the limit is what held it back (the two workers reached it): otherwise this run would prove nothing.
      expect(bothRate).toBeGreaterThanOrEqual(RATE * 0.7);
      expect(times.length / seconds).toBeLessThanOrEqual(RATE * 1.1);
    },
    RUN_WITHIN_MS + 60_000,
  );
});
