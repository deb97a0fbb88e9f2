import request from 'supertest';
import { ProviderRegistry } from '../src/providers/provider.registry';
import { delegatedOrg, type Platform } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

const APP = {
  google: { type: 'google_video', appId: 'google-meet' },
  office365: { type: 'office365_video', appId: 'msteams' },
} as const;

/** One entry per conferencing app; the delegated Meet/Teams wins; `invalid` follows the member's state (e2e). */
describe('Conferencing apps of delegated members (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const list = async (auth: Record<string, string>) =>
    (await http().get('/v2/conferencing').set(auth).expect(200)).body.data as {
      id: number;
      type: string;
      appId: string;
      invalid: boolean | null;
      delegationCredentialId: string | null;
    }[];

  it.each<Platform>(['google', 'office365'])(
    '%s: a personal install of the same app is shown once, as the delegated one; other apps once each',
    async (platform) => {
      const o = await delegatedOrg(t, platform);
      const m = await o.connectedMember();
      const personal = await t.prisma.credential.create({
        data: { userId: m.user.id, type: APP[platform].type, appId: APP[platform].appId },
      });
      const zoomBroken = await t.prisma.credential.create({
        data: { userId: m.user.id, type: 'zoom_video', appId: 'zoom', invalid: true },
      });
      const zoom = await t.prisma.credential.create({
        data: { userId: m.user.id, type: 'zoom_video', appId: 'zoom' },
      });
      const delegatedId = await o.memberCredentialId(m.user.id);

      const apps = await list(m.auth);
      expect(apps).toEqual([
        expect.objectContaining({
          id: delegatedId,
          type: APP[platform].type,
          delegationCredentialId: o.dcId,
        }),
        expect.objectContaining({
          id: zoom.id,
          type: 'zoom_video',
          invalid: false,
          delegationCredentialId: null,
        }),
      ]);
      expect(apps.map((a) => a.id)).not.toContain(personal.id);
      expect(apps.map((a) => a.id)).not.toContain(zoomBroken.id);

      // Without the delegation, the member's own install is what they have.
      await o.setEnabled(false);
      expect((await list(m.auth)).map((a) => a.id)).toEqual([personal.id, zoom.id]);
    },
  );

  it.each<Platform>(['google', 'office365'])(
    '%s: invalid while the member fails, valid again once they are connected',
    async (platform) => {
      const o = await delegatedOrg(t, platform);
      const m = await o.connectedMember();
      const registry = t.app.get(ProviderRegistry);
      expect(await list(m.auth)).toEqual([
        expect.objectContaining({ type: APP[platform].type, invalid: false }),
      ]);

      if (platform === 'google') t.fake.revokeDomainWideDelegation(o.domain, o.clientId);
      else t.fake.revokeAdminConsent(o.tenantId, o.clientId);
      registry.evict(o.dcId);
      await http().get('/v2/calendars').set(m.auth).expect(200); // a live call fails and records it
      expect(await list(m.auth)).toEqual([
        expect.objectContaining({ type: APP[platform].type, invalid: true }),
      ]);

      if (platform === 'google') t.fake.authorizeDomainWideDelegation(o.domain, o.clientId);
      else t.fake.grantAdminConsent(o.tenantId, o.clientId);
      registry.evict(o.dcId);
      // A credential-wide failure is lifted by a credential-level check (a live call could ride a token minted
      // before the revocation); then the member's next live call connects them again.
      const verified = await http()
        .post(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}/verify`)
        .set(o.auth)
        .expect(200);
      expect(verified.body.data.verified).toBe(true);
      await http().get('/v2/calendars').set(m.auth).expect(200);
      expect(await list(m.auth)).toEqual([
        expect.objectContaining({ type: APP[platform].type, invalid: false }),
      ]);
    },
  );
});
