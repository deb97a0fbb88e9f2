import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { CredentialLifecycleService } from '../src/lifecycle/credential-lifecycle.service';
import { type DelegatedOrg, delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

const base = (orgId: number) => `/v2/organizations/${orgId}/delegation-credentials`;

/** Member lifecycle with real Redis, a real worker and the provider fakes: enable, join, disable, re-enable, delete. */
describe('Member lifecycle on BullMQ (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: INestApplicationContext;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestAppWithFakes();
    worker = await startInProcessWorker();
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
  });

  const credentialsOf = (dc: string) =>
    t.prisma.credential.findMany({ where: { delegationCredentialId: dc }, orderBy: { userId: 'asc' } });

  /** The delegation credential's admin API URL, with `path` after it. */
  const dcUrl = (s: DelegatedOrg, path = '') => `${base(s.org.id)}/${s.dcId}${path}`;

  /** A created Google credential on `domain` with an admin, matching / look-alike / pending / other-domain members. */
  async function googleOrg() {
    const s = await delegatedOrg(t, 'google', { enabled: false });
    const member = async (email: string, accepted = true) => {
      const user = await t.fixtures.user(email);
      await t.fixtures.membership(user.id, s.org.id, 'MEMBER', accepted);
      return user;
    };
    const alice = await member(`alice@${s.domain}`);
    const bob = await member(`Bob@${s.domain.toUpperCase()}`); // case-insensitive match
    await member(`carol@not${s.domain}`); // look-alike
    await member(`dave@sub.${s.domain}`); // subdomain
    await member(`erin-${uniq()}@other.example`);
    await member(`pending@${s.domain}`, false); // pending membership
    for (const email of [alice.email, bob.email]) t.fake.addGoogleUser(email);
    return { ...s, alice, bob, matching: [s.admin.id, alice.id, bob.id].sort((a, b) => a - b) };
  }

  /** Enables the credential and waits until the worker gave the three matching members their credentials. */
  async function enableAndProvision(s: DelegatedOrg) {
    await s.setEnabled(true);
    await waitFor(async () => (await credentialsOf(s.dcId)).length === 3, 15_000, 'provisioning');
  }

  it('enable → exactly the matching accepted members get credentials, default preferences, and are verified', async () => {
    const s = await googleOrg();
    await enableAndProvision(s);
    expect((await credentialsOf(s.dcId)).map((c) => c.userId)).toEqual(s.matching);

    const selected = await t.prisma.selectedCalendar.findMany({
      where: { delegationCredentialId: s.dcId },
      orderBy: { userId: 'asc' },
    });
    expect(selected.map((c) => [c.userId, c.integration, c.externalId])).toEqual([
      [s.admin.id, 'google_calendar', s.admin.email],
      [s.alice.id, 'google_calendar', s.alice.email],
      [s.bob.id, 'google_calendar', s.bob.email.toLowerCase()],
    ]);
    const destinations = await t.prisma.destinationCalendar.findMany({
      where: { userId: { in: s.matching } },
    });
    expect(destinations).toHaveLength(3);

    await waitFor(
      async () => (await http().get(dcUrl(s)).set(s.auth)).body.data.members.connected === 3,
      15_000,
      'verification',
    );
    const got = await http().get(dcUrl(s)).set(s.auth).expect(200);
    expect(got.body.data.members).toEqual({ matching: 3, connected: 3, pending: 0, failing: 0, blocked: 0 });
    const members = await http().get(dcUrl(s, '/members')).set(s.auth).expect(200);
    expect(members.body.data.map((m: { email: string; state: string }) => m.state)).toEqual([
      'connected',
      'connected',
      'connected',
    ]);
  });

  it('a member outside the directory ends failing with the typed error; others connect', async () => {
    const s = await googleOrg();
    const ghost = await t.fixtures.user(`ghost@${s.domain}`);
    await t.fixtures.membership(ghost.id, s.org.id, 'MEMBER', true);
    await s.setEnabled(true);
    await waitFor(
      async () => {
        const m = (await http().get(dcUrl(s)).set(s.auth)).body.data.members;
        return m.connected === 3 && m.failing === 1;
      },
      15_000,
      'verification',
    );
    const members = (await http().get(dcUrl(s, '/members')).set(s.auth).expect(200)).body.data;
    const failing = members.find((m: { userId: number }) => m.userId === ghost.id);
    expect(failing).toMatchObject({ state: 'failing', lastError: { type: 'USER_NOT_IN_DIRECTORY' } });
  });

  it('a new member is connected without admin action; leaving removes the credential but keeps preferences', async () => {
    const s = await googleOrg();
    await enableAndProvision(s);

    t.fake.addGoogleUser(`frank@${s.domain}`);
    const created = await http()
      .post(`/v2/organizations/${s.org.id}/users`)
      .set(s.auth)
      .send({ email: `frank@${s.domain}` })
      .expect(201);
    const frankId = created.body.data.id as number;
    await waitFor(
      async () =>
        (await credentialsOf(s.dcId)).some((c) => c.userId === frankId && c.syncState === 'CONNECTED'),
      15_000,
      'frank connected',
    );
    expect(await t.prisma.selectedCalendar.count({ where: { userId: frankId } })).toBe(1);

    const membership = await t.prisma.membership.findFirstOrThrow({
      where: { userId: frankId, teamId: s.org.id },
    });
    await http().delete(`/v2/organizations/${s.org.id}/memberships/${membership.id}`).set(s.auth).expect(200);
    await waitFor(
      async () => !(await credentialsOf(s.dcId)).some((c) => c.userId === frankId),
      15_000,
      'frank removed',
    );
    expect(await t.prisma.selectedCalendar.count({ where: { userId: frankId } })).toBe(1);
    expect(await t.prisma.destinationCalendar.count({ where: { userId: frankId } })).toBe(1);

    // Rejoining (same credential generation) connects and verifies them again, on the same preferences.
    await http()
      .post(`/v2/organizations/${s.org.id}/memberships`)
      .set(s.auth)
      .send({ userId: frankId, accepted: true })
      .expect(201);
    await waitFor(
      async () =>
        (await credentialsOf(s.dcId)).some((c) => c.userId === frankId && c.syncState === 'CONNECTED'),
      15_000,
      'frank connected again',
    );
    expect(await t.prisma.selectedCalendar.count({ where: { userId: frankId } })).toBe(1);
  });

  it('an email moved out of the domain loses the delegated credential', async () => {
    const s = await googleOrg();
    await enableAndProvision(s);
    await http()
      .patch(`/v2/organizations/${s.org.id}/users/${s.alice.id}`)
      .set(s.auth)
      .send({ email: `alice@elsewhere-${uniq()}.example` })
      .expect(200);
    await waitFor(
      async () => !(await credentialsOf(s.dcId)).some((c) => c.userId === s.alice.id),
      15_000,
      'alice removed',
    );
  });

  it('disable → credentials removed, preferences intact; re-enable → reconnected to the same preferences; delete → row gone', async () => {
    const s = await googleOrg();
    await enableAndProvision(s);
    const prefsBefore = await t.prisma.selectedCalendar.findMany({
      where: { userId: { in: s.matching } },
      orderBy: { id: 'asc' },
    });

    await s.setEnabled(false);
    await waitFor(async () => (await credentialsOf(s.dcId)).length === 0, 15_000, 'cleanup');
    const prefsDisabled = await t.prisma.selectedCalendar.findMany({
      where: { userId: { in: s.matching } },
      orderBy: { id: 'asc' },
    });
    expect(prefsDisabled.map((p) => [p.id, p.externalId, p.delegationCredentialId, p.credentialId])).toEqual(
      prefsBefore.map((p) => [p.id, p.externalId, s.dcId, null]),
    );
    expect(await t.prisma.destinationCalendar.count({ where: { userId: { in: s.matching } } })).toBe(3);

    await s.setEnabled(true);
    await waitFor(async () => (await credentialsOf(s.dcId)).length === 3, 15_000, 're-provisioning');
    const creds = await credentialsOf(s.dcId);
    const prefsAfter = await t.prisma.selectedCalendar.findMany({
      where: { userId: { in: s.matching } },
      orderBy: { id: 'asc' },
    });
    expect(prefsAfter.map((p) => p.id)).toEqual(prefsBefore.map((p) => p.id)); // same rows, no duplicates
    for (const p of prefsAfter) expect(p.credentialId).toBe(creds.find((c) => c.userId === p.userId)?.id);

    await http().delete(dcUrl(s)).set(s.auth).expect(200);
    await waitFor(
      async () => (await t.prisma.delegationCredential.count({ where: { id: s.dcId } })) === 0,
      15_000,
      'deletion',
    );
    await http().get(dcUrl(s)).set(s.auth).expect(404);
    expect(
      await t.prisma.credential.count({
        where: { userId: { in: s.matching }, delegationCredentialId: { not: null } },
      }),
    ).toBe(0);
    const kept = await t.prisma.selectedCalendar.findMany({ where: { userId: { in: s.matching } } });
    expect(kept).toHaveLength(3);
    expect(kept.every((p) => p.delegationCredentialId === null)).toBe(true);
    const audit = await http().get(dcUrl(s, '/audit')).set(s.auth).expect(200);
    expect(audit.body.data[0]).toMatchObject({ action: 'DELETE', outcome: 'SUCCESS' });
  });

  it('running the provisioning job twice creates no duplicates', async () => {
    const s = await googleOrg();
    await enableAndProvision(s);
    const lifecycle = worker.get(CredentialLifecycleService);
    const job = { progress: 0, updateProgress: () => Promise.resolve() } as never;
    const again = await lifecycle.provision({ credentialId: s.dcId, generation: 1 }, job);
    expect(again).toMatchObject({ provisioned: 3 });
    expect(await credentialsOf(s.dcId)).toHaveLength(3);
    expect(await t.prisma.selectedCalendar.count({ where: { userId: { in: s.matching } } })).toBe(3);
    expect(await t.prisma.destinationCalendar.count({ where: { userId: { in: s.matching } } })).toBe(3);
    // A job of an older generation does nothing.
    expect(await lifecycle.provision({ credentialId: s.dcId, generation: 0 }, job)).toMatchObject({
      stopped: 'credential moved on',
    });
  });

  it('a Microsoft 365 member gets default preferences once verification finds the primary calendar', async () => {
    const { admin, dcId: id } = await delegatedOrg(t, 'office365');
    await waitFor(
      async () => (await credentialsOf(id)).some((c) => c.syncState === 'CONNECTED'),
      15_000,
      'verification',
    );
    const selected = await t.prisma.selectedCalendar.findMany({ where: { userId: admin.id } });
    expect(selected).toEqual([
      expect.objectContaining({ integration: 'office365_calendar', delegationCredentialId: id }),
    ]);
    expect(await t.prisma.destinationCalendar.findUnique({ where: { userId: admin.id } })).toMatchObject({
      integration: 'office365_calendar',
    });
  });
});
