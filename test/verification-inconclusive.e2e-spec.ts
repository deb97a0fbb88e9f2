import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WorkerModule } from '../src/lifecycle/worker.module';
import { delegatedOrg, type Platform } from './utils/delegated-org';
import { createIsolatedDatabase } from './utils/isolated-database';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { waitFor } from './utils/worker';

/**
 * A member's verification refused for the request itself (an unclassified provider 400: REQUEST_REJECTED, scope
 * none) is inconclusive: retried, never recorded as the member's failure (failing + DELEGATION_CREDENTIAL_ERROR +
 * a re-check minutes later) nor as the credential's.
 */
describe('Verification refused for the request itself (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    dropDatabase = (await createIsolatedDatabase('verification_inconclusive')).drop;
    t = await createTestAppWithFakes();
  });
  afterEach(async () => {
    t.fake.clearFaults();
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await t?.close();
    await dropDatabase?.();
  });

  it.each<[Platform, string]>([
    ['google', 'google.calendarList'],
    ['office365', 'graph.users'],
  ])(
    '%s: a 400 without a known reason on %s is retried and the member connects, never failing',
    async (platform, route) => {
      // Enabled with no worker running: the admin's verification is queued, not run.
      const o = await delegatedOrg(t, platform);
      const member = () =>
        t.prisma.credential.findFirst({ where: { userId: o.admin.id, delegationCredentialId: o.dcId } });
      const callsBefore = t.fake.callCount(route);
      t.fake.injectFault({ route, status: 400, times: 1 });
      const states: string[] = [];
      worker = await Test.createTestingModule({ imports: [WorkerModule] })
        .compile()
        .then(async (moduleRef) => {
          moduleRef.useLogger(['error']);
          await moduleRef.init();
          return moduleRef;
        });
      await waitFor(
        async () => {
          const state = (await member())?.syncState ?? 'none';
          states.push(state);
          return state === 'CONNECTED' || state === 'FAILING';
        },
        30_000,
        'the member verified',
      );
      // The verification met the refusal, then called again.
      expect(t.fake.callCount(route) - callsBefore).toBeGreaterThanOrEqual(2);
      expect(await member()).toMatchObject({ syncState: 'CONNECTED', invalid: false });
      expect(states).not.toContain('FAILING');
      const dc = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: o.dcId } });
      expect(dc.status).toBe('ACTIVE');
    },
  );
});
