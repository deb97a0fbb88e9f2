import type { ChildProcess } from 'node:child_process';
import { delegatedOrg } from './utils/delegated-org';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { spawnWorker, waitFor } from './utils/worker';

const MEMBERS = 6000;
const WORKER_ENV = {
  PROVISION_BATCH_SIZE: '100',
  WORKER_LOCK_DURATION_MS: '2000',
  VERIFY_RATE_GOOGLE_PER_SECOND: '1',
};

/** `SIGKILL` a real worker process in the middle of provisioning: a restarted worker completes with exact counts. */
describe('Worker killed mid-provisioning (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    t = await createTestAppWithFakes();
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t.close();
  });

  it('resumes and completes after SIGKILL, with no duplicates', async () => {
    const { org, domain, dcId: id, setEnabled } = await delegatedOrg(t, 'google', { enabled: false });
    await t.prisma.$executeRaw`
      WITH u AS (
        INSERT INTO "User" (email, name, "updatedAt")
        SELECT 'm' || g || '@' || ${domain}, 'm' || g, now() FROM generate_series(1, ${MEMBERS - 1}) g RETURNING id)
      INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
      SELECT id, ${org.id}, 'MEMBER', true, now() FROM u`;
    await setEnabled(true);
    const count = () => t.prisma.credential.count({ where: { delegationCredentialId: id } });

    worker = spawnWorker(WORKER_ENV);
    await waitFor(async () => (await count()) > 0, 60_000, 'the first worker to start provisioning');
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker?.once('exit', resolve));
    const atKill = await count();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(MEMBERS);

    worker = spawnWorker(WORKER_ENV);
    await waitFor(async () => (await count()) === MEMBERS, 90_000, 'the restarted worker to finish');
    const [dupes] = await t.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM (SELECT "userId" FROM "Credential" WHERE "delegationCredentialId" = ${id}::uuid
      GROUP BY "userId" HAVING count(*) > 1) d`;
    expect(Number(dupes.n)).toBe(0);
    expect(await t.prisma.selectedCalendar.count({ where: { delegationCredentialId: id } })).toBe(MEMBERS);
    expect(await t.prisma.destinationCalendar.count({ where: { delegationCredentialId: id } })).toBe(MEMBERS);
  }, 180_000);
});
