import type { INestApplicationContext } from '@nestjs/common';
import { ReconciliationService } from '../src/lifecycle/reconciliation.service';
import { delegatedOrg } from './utils/delegated-org';
import { createIsolatedDatabase } from './utils/isolated-database';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

/**
 * Reconciliation: drift made by hand (a member's delegated credential deleted, a credential held by someone who is
 * not a matching member, leftovers of a disabled credential) is repaired through the ordinary jobs, exactly; a run
 * with nothing to do queues nothing.
 */
describe('Reconciliation (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: INestApplicationContext;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // A database of its own: the worker reconciles every credential at start, and must not take on the ones other
    // files left behind (hundreds of repairs ahead of this file's own jobs).
    dropDatabase = (await createIsolatedDatabase('reconcile')).drop;
    t = await createTestAppWithFakes();
    worker = await startInProcessWorker();
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabase?.();
  });

  const held = (dcId: string) =>
    t.prisma.credential
      .findMany({ where: { delegationCredentialId: dcId }, orderBy: { userId: 'asc' } })
      .then((rows) => rows.map((r) => r.userId));

  it('repairs missing, leftover and not-cleaned-up member credentials through the jobs; nothing to do → nothing queued', async () => {
    const o = await delegatedOrg(t, 'google');
    const members = [await o.member(), await o.member(), await o.member()];
    const expected = [o.admin.id, ...members.map((m) => m.user.id)].sort((a, b) => a - b);
    await waitFor(async () => (await held(o.dcId)).length === 4, 20_000, 'provisioning');
    await waitFor(
      async () =>
        (await t.prisma.credential.count({
          where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' },
        })) === 4,
      20_000,
      'verification',
    );

    // A disabled credential whose cleanup never ran.
    const d = await delegatedOrg(t, 'google');
    await waitFor(async () => (await held(d.dcId)).length === 1, 20_000, 'the second provisioning');
    await t.prisma.delegationCredential.update({
      where: { id: d.dcId },
      data: { enabled: false, status: 'DISABLED' },
    });

    // Drift: one member lost their credential, an outsider holds one (a membership deleted without its sync).
    await t.prisma.credential.deleteMany({
      where: { delegationCredentialId: o.dcId, userId: members[0].user.id },
    });
    const outsider = await t.fixtures.user(`outsider-${o.domain.split('.')[0]}@elsewhere.example`);
    await t.prisma.credential.create({
      data: {
        type: 'google_calendar',
        appId: 'google-calendar',
        userId: outsider.id,
        delegationCredentialId: o.dcId,
        syncState: 'CONNECTED',
      },
    });

    const reconcile = () =>
      worker.get(ReconciliationService).reconcile({ round: Date.now() }, undefined, [o.dcId, d.dcId]);
    const first = await reconcile();
    expect(first).toMatchObject({
      checked: 2,
      repaired: { 'provision-credential': 1, 'sync-member': 1, 'cleanup-credential': 1 },
    });
    await waitFor(
      async () =>
        JSON.stringify(await held(o.dcId)) === JSON.stringify(expected) && (await held(d.dcId)).length === 0,
      20_000,
      'the repairs',
    );
    await waitFor(
      async () =>
        (await t.prisma.credential.count({
          where: { delegationCredentialId: o.dcId, syncState: 'CONNECTED' },
        })) === 4,
      20_000,
      'the repaired member verified',
    );

    // Nothing to do: one query per credential, nothing queued.
    const started = process.hrtime.bigint();
    const second = await reconcile();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(second).toMatchObject({ checked: 2, repaired: {}, inProgress: 0 });
    process.stdout.write(
      `[reconciliation] nothing to do: ${second.checked} credentials in ${ms.toFixed(1)} ms\n`,
    );
    expect(await held(o.dcId)).toEqual(expected);
  }, 90_000);
});
