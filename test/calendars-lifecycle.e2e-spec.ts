import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { ProviderRegistry } from '../src/providers/provider.registry';
import type { FakeProviderServer } from '../src/sandbox/fake-provider.server';
import { WorkspacePlatformsRepository } from '../src/workspace-platforms/workspace-platforms.repository';
import { createTestApp, type TestApp } from './utils/app';
import { uniq } from './utils/fixtures';
import { startFakeProviders } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

type Platform = 'google' | 'office365';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/**
 * Who is covered, and what members see as the organization enables, disables and re-enables its delegation
 * credential (real worker), or as the provider starts refusing (e2e).
 */
describe('Delegated calendars across the credential lifecycle (e2e)', () => {
  let t: TestApp;
  let fake: FakeProviderServer;
  let stopFake: () => Promise<void>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    ({ fake, stop: stopFake } = await startFakeProviders());
    t = await createTestApp();
    await t.app.get(WorkspacePlatformsRepository).seedDefaults();
  });
  afterAll(async () => {
    await t.close();
    await stopFake();
  });

  /** An org with a created (not yet enabled) credential; `setEnabled` toggles it through the admin API. */
  async function org(platform: Platform) {
    const domain = `${uniq()}.example`;
    const { org, admin, apiKey } = await t.fixtures.orgWithAdmin({ domain });
    let serviceAccountKey: object;
    let tenantId = '';
    let clientId: string;
    if (platform === 'google') {
      const key = await fake.createGoogleServiceAccount();
      fake.addGoogleUser(admin.email);
      fake.authorizeDomainWideDelegation(domain, key.client_id);
      serviceAccountKey = key;
      clientId = key.client_id;
    } else {
      tenantId = fake.createMicrosoftTenant({ domain }).id;
      fake.addMicrosoftUser(tenantId, admin.email);
      const app = fake.createMicrosoftApp({ tenantId, consent: true });
      serviceAccountKey = app;
      clientId = app.client_id;
    }
    const base = `/v2/organizations/${org.id}/delegation-credentials`;
    const created = await http()
      .post(base)
      .set(bearer(apiKey))
      .send({ workspacePlatformSlug: platform, domain, serviceAccountKey })
      .expect(201);
    const dcId = created.body.data.id as string;
    const setEnabled = (enabled: boolean) =>
      http().patch(`${base}/${dcId}`).set(bearer(apiKey)).send({ enabled }).expect(200);
    /** A user of the org (accepted unless told), with a mailbox at the provider unless the email is elsewhere. */
    const member = async (options: { accepted?: boolean; email?: string } = {}) => {
      const user = await t.fixtures.user(options.email ?? `m-${uniq()}@${domain}`);
      await t.fixtures.membership(user.id, org.id, 'MEMBER', options.accepted ?? true);
      let primary = user.email;
      if (platform === 'google') fake.addGoogleUser(user.email);
      else primary = fake.microsoft.store.primaryOf(fake.addMicrosoftUser(tenantId, user.email).id)!.id;
      return { user, primary, auth: bearer(await t.fixtures.apiKey(user.id)) };
    };
    return { org, domain, dcId, tenantId, clientId, platform, setEnabled, member };
  }

  const connected = async (auth: Record<string, string>) =>
    (await http().get('/v2/calendars').set(auth).expect(200)).body.data.connectedCalendars as {
      delegationCredentialId: string | null;
      credentialId: number;
      error?: { type: string };
      calendars: { externalId: string; isSelected: boolean }[];
    }[];

  it('covers only accepted members whose email is in the domain, and only while enabled', async () => {
    const o = await org('google');
    const covered = await o.member();
    const pending = await o.member({ accepted: false });
    const otherDomain = await o.member({ email: `x-${uniq()}@elsewhere.example` });
    const notMember = await t.fixtures.user(`n-${uniq()}@${o.domain}`);
    const notMemberAuth = bearer(await t.fixtures.apiKey(notMember.id));
    expect(await connected(covered.auth)).toEqual([]); // created, not enabled yet
    await o.setEnabled(true);
    expect(await connected(covered.auth)).toEqual([
      expect.objectContaining({ delegationCredentialId: o.dcId }),
    ]);
    for (const auth of [pending.auth, otherDomain.auth, notMemberAuth])
      expect(await connected(auth)).toEqual([]);
  });

  describe('with the worker', () => {
    let worker: INestApplicationContext;
    beforeAll(async () => {
      worker = await startInProcessWorker();
    });
    afterAll(async () => {
      await worker.close();
    });

    it.each<Platform>(['google', 'office365'])(
      '%s: members are connected by the background job; disable hides everything but keeps preferences; re-enable restores',
      async (platform) => {
        const o = await org(platform);
        const m = await o.member();
        await o.setEnabled(true);
        await waitFor(
          async () =>
            (
              await t.prisma.credential.findFirst({
                where: { userId: m.user.id, delegationCredentialId: o.dcId },
              })
            )?.syncState === 'CONNECTED',
          20_000,
          'the member to be provisioned and verified',
        );
        const [connection] = await connected(m.auth);
        expect(connection).toMatchObject({ delegationCredentialId: o.dcId });
        // The verification job selected the primary calendar (for Microsoft once its id is known).
        expect(connection.calendars).toEqual([
          expect.objectContaining({ externalId: m.primary, isSelected: true }),
        ]);
        const event = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send({
            title: 'Kept',
            start: '2031-05-01T10:00:00Z',
            end: '2031-05-01T11:00:00Z',
            conference: true,
          })
          .expect(201);
        const busyQuery = {
          dateFrom: '2031-05-01',
          dateTo: '2031-05-01',
          credentialId: connection.credentialId,
          externalId: m.primary,
        };

        await o.setEnabled(false);
        expect(await connected(m.auth)).toEqual([]);
        const busy = await http().get('/v2/calendars/busy-times').set(m.auth).query(busyQuery).expect(401);
        expect(busy.body.error.message).toBe('These credentials do not belong to you');
        expect((await http().get('/v2/conferencing').set(m.auth).expect(200)).body.data).toEqual([]);
        await http().get(`/v2/calendars/${platform}/check`).set(m.auth).expect(400);
        await http()
          .patch(`/v2/calendars/${platform}/events/${event.body.data.uid}`)
          .set(m.auth)
          .send({ title: 'x' })
          .expect(404);
        // The cleanup job removes the delegated credential; preferences stay (unlinked).
        await waitFor(
          async () => (await t.prisma.credential.count({ where: { userId: m.user.id } })) === 0,
          20_000,
          'the cleanup job',
        );
        expect(await t.prisma.selectedCalendar.findMany({ where: { userId: m.user.id } })).toEqual([
          expect.objectContaining({
            externalId: m.primary,
            credentialId: null,
            delegationCredentialId: o.dcId,
          }),
        ]);
        expect(await t.prisma.destinationCalendar.findUnique({ where: { userId: m.user.id } })).toMatchObject(
          {
            externalId: m.primary,
            credentialId: null,
          },
        );

        await o.setEnabled(true);
        const [back] = await connected(m.auth);
        expect(back).toMatchObject({ delegationCredentialId: o.dcId });
        expect(back.calendars).toEqual([
          expect.objectContaining({ externalId: m.primary, isSelected: true }),
        ]);
        expect(await t.prisma.destinationCalendar.findUnique({ where: { userId: m.user.id } })).toMatchObject(
          {
            credentialId: back.credentialId,
          },
        );
        await http()
          .get('/v2/calendars/busy-times')
          .set(m.auth)
          .query({ ...busyQuery, credentialId: back.credentialId })
          .expect(200);
        await http()
          .delete(`/v2/calendars/${platform}/events/${event.body.data.uid}`)
          .set(m.auth)
          .expect(200);
        expect(fake.events(platform, m.user.email)).toEqual([]);
      },
    );
  });

  describe('a permanent provider failure during a call marks the member failing', () => {
    it.each<Platform>(['google', 'office365'])('%s', async (platform) => {
      const o = await org(platform);
      await o.setEnabled(true);
      const m = await o.member();
      const [ok] = await connected(m.auth);
      expect(ok.error).toBeUndefined();

      // A manual connection of another mailbox must stay listed beside the broken delegated one.
      await http()
        .post('/v2/calendars/apple/credentials')
        .set(m.auth)
        .send({ username: 'me@icloud.com', password: 'p' })
        .expect(201);

      if (platform === 'google') fake.revokeDomainWideDelegation(o.domain, o.clientId);
      else fake.revokeAdminConsent(o.tenantId, o.clientId);
      t.app.get(ProviderRegistry).evict(o.dcId); // cached tokens would otherwise keep working until they expire

      // The list still answers, with the broken connection flagged.
      const [broken, manual] = await connected(m.auth);
      expect(manual).toMatchObject({ delegationCredentialId: null, calendars: [] });
      expect(broken).toMatchObject({
        delegationCredentialId: o.dcId,
        calendars: [],
        error: { type: expect.any(String) },
      });
      const row = await t.prisma.credential.findFirstOrThrow({
        where: { userId: m.user.id, delegationCredentialId: o.dcId },
      });
      expect(row.syncState).toBe('FAILING');
      expect(row.lastError).toMatchObject({ type: broken.error!.type });

      const busy = await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({ dateFrom: '2031-06-01', dateTo: '2031-06-01', credentialId: row.id, externalId: m.primary })
        .expect(400);
      expect(busy.body.error).toMatchObject({
        code: 'ProviderError',
        details: { permanent: true, platform },
      });
      await http().get(`/v2/calendars/${platform}/check`).set(m.auth).expect(401);
      expect((await http().get('/v2/conferencing').set(m.auth).expect(200)).body.data).toEqual([
        expect.objectContaining({ id: row.id, invalid: true }),
      ]);

      // Once the admin fixes the configuration, the next successful call connects the member again.
      if (platform === 'google') fake.authorizeDomainWideDelegation(o.domain, o.clientId);
      else fake.grantAdminConsent(o.tenantId, o.clientId);
      t.app.get(ProviderRegistry).evict(o.dcId);
      const [healed] = await connected(m.auth);
      expect(healed.error).toBeUndefined();
      expect((await t.prisma.credential.findUniqueOrThrow({ where: { id: row.id } })).syncState).toBe(
        'CONNECTED',
      );
    });

    it('a provider outage is flagged on the connection but does not mark the member failing', async () => {
      const o = await org('google');
      await o.setEnabled(true);
      const m = await o.member();
      await connected(m.auth);
      fake.injectFault({ route: 'google.calendarList', status: 503, times: 5 });
      const [down] = await connected(m.auth);
      fake.clearFaults();
      expect(down.error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
      const row = await t.prisma.credential.findFirstOrThrow({ where: { userId: m.user.id } });
      expect(row.syncState).not.toBe('FAILING');
      const [up] = await connected(m.auth);
      expect(up.error).toBeUndefined();
    });
  });
});
