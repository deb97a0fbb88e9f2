import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { ProviderRegistry } from '../src/providers/provider.registry';
import { delegatedOrg, type Platform } from './utils/delegated-org';
import { bearer, uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

/**
 * Who is covered, and what members see as the organization enables, disables and re-enables its delegation
 * credential (real worker), or as the provider starts refusing (e2e).
 */
describe('Delegated calendars across the credential lifecycle (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  const connected = async (auth: Record<string, string>) =>
    (await http().get('/v2/calendars').set(auth).expect(200)).body.data.connectedCalendars as {
      delegationCredentialId: string | null;
      credentialId: number;
      error?: { type: string };
      calendars: { externalId: string; isSelected: boolean }[];
    }[];

  it('covers only accepted members whose email is in the domain, and only while enabled', async () => {
    const o = await delegatedOrg(t, 'google', { enabled: false });
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
        const o = await delegatedOrg(t, platform, { enabled: false });
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
        expect(t.fake.events(platform, m.user.email)).toEqual([]);
      },
    );
  });

  describe('a credential-wide provider failure during a call makes the credential failing and blocks the member', () => {
    it.each<Platform>(['google', 'office365'])('%s', async (platform) => {
      const o = await delegatedOrg(t, platform);
      const m = await o.member();
      const [ok] = await connected(m.auth);
      expect(ok.error).toBeUndefined();

      // A manual connection of another mailbox must stay listed beside the broken delegated one.
      await http()
        .post('/v2/calendars/apple/credentials')
        .set(m.auth)
        .send({ username: 'me@icloud.com', password: 'p' })
        .expect(201);

      if (platform === 'google') t.fake.revokeDomainWideDelegation(o.domain, o.clientId);
      else t.fake.revokeAdminConsent(o.tenantId, o.clientId);
      t.app.get(ProviderRegistry).evict(o.dcId); // cached tokens would otherwise keep working until they expire

      // The list still answers, with the broken connection flagged.
      const [broken, manual] = await connected(m.auth);
      expect(manual).toMatchObject({ delegationCredentialId: null, calendars: [] });
      expect(broken).toMatchObject({
        delegationCredentialId: o.dcId,
        calendars: [],
        error: { type: expect.any(String) },
      });
      // The credential is at fault, not the member: it goes failing; the member is blocked, not failing.
      const dcUrl = `/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`;
      expect((await http().get(dcUrl).set(o.auth).expect(200)).body.data).toMatchObject({
        status: 'failing',
        lastError: { type: broken.error!.type, scope: 'credential' },
      });
      const row = await t.prisma.credential.findFirstOrThrow({
        where: { userId: m.user.id, delegationCredentialId: o.dcId },
      });
      expect(row.syncState).toBe('BLOCKED');

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

      // The admin fixes the configuration. A live call that works again is not proof for the credential (a token
      // minted before a revocation keeps working): the member stays blocked until a credential-level check passes.
      if (platform === 'google') t.fake.authorizeDomainWideDelegation(o.domain, o.clientId);
      else t.fake.grantAdminConsent(o.tenantId, o.clientId);
      const [working] = await connected(m.auth);
      expect(working.error).toBeUndefined();
      expect((await t.prisma.credential.findUniqueOrThrow({ where: { id: row.id } })).syncState).toBe(
        'BLOCKED',
      );
      const verified = await http().post(`${dcUrl}/verify`).set(o.auth).expect(200);
      expect(verified.body.data.verified).toBe(true);
      expect((await http().get(dcUrl).set(o.auth).expect(200)).body.data).toMatchObject({
        status: 'active',
        lastError: null,
      });
      // Now the next successful call connects the member again (the worker would re-verify them otherwise).
      const [healed] = await connected(m.auth);
      expect(healed.error).toBeUndefined();
      expect((await t.prisma.credential.findUniqueOrThrow({ where: { id: row.id } })).syncState).toBe(
        'CONNECTED',
      );
      expect((await http().get('/v2/conferencing').set(m.auth).expect(200)).body.data).toEqual([
        expect.objectContaining({ id: row.id, invalid: false }),
      ]);
    });

    it('a provider outage is flagged on the connection but does not mark the member failing', async () => {
      const o = await delegatedOrg(t, 'google');
      const m = await o.member();
      await connected(m.auth);
      t.fake.injectFault({ route: 'google.calendarList', status: 503, times: 5 });
      const [down] = await connected(m.auth);
      t.fake.clearFaults();
      expect(down.error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
      const row = await t.prisma.credential.findFirstOrThrow({ where: { userId: m.user.id } });
      expect(row.syncState).not.toBe('FAILING');
      const [up] = await connected(m.auth);
      expect(up.error).toBeUndefined();
    });
  });
});
