import request from 'supertest';
import { delegatedOrg, type Platform } from './utils/delegated-org';
import { bearer } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

const APP = {
  google: { type: 'google_video', appId: 'google-meet' },
  office365: { type: 'office365_video', appId: 'msteams' },
} as const;

/** Google Meet / Microsoft Teams come and go with the delegation credential (e2e). */
describe('Conferencing of delegated members (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  /** An enabled delegated org of `platform` with one member; `setEnabled` toggles it through the admin API. */
  async function delegatedMember(platform: Platform) {
    const { dcId, setEnabled, member } = await delegatedOrg(t, platform, { enabled: false });
    const { user, auth } = await member();
    await setEnabled(true);
    return { user, dcId, setEnabled, auth };
  }

  it.each<Platform>(['google', 'office365'])(
    '%s: lists the conferencing app and makes it the default; gone when disabled, back when re-enabled',
    async (platform) => {
      const m = await delegatedMember(platform);
      const list = async () => (await http().get('/v2/conferencing').set(m.auth).expect(200)).body;
      const getDefault = async () =>
        (await http().get('/v2/conferencing/default').set(m.auth).expect(200)).body;

      const listed = await list();
      const credential = await t.prisma.credential.findFirstOrThrow({
        where: { userId: m.user.id, delegationCredentialId: m.dcId },
      });
      expect(listed).toEqual({
        status: 'success',
        data: [
          {
            id: credential.id,
            type: APP[platform].type,
            appId: APP[platform].appId,
            userId: m.user.id,
            invalid: false,
            delegationCredentialId: m.dcId,
          },
        ],
      });
      expect(await getDefault()).toEqual({ status: 'success', data: { appSlug: APP[platform].appId } });

      await m.setEnabled(false);
      expect((await list()).data).toEqual([]);
      expect((await getDefault()).data).toEqual({});

      await m.setEnabled(true);
      expect((await list()).data).toEqual([expect.objectContaining({ type: APP[platform].type })]);
      expect((await getDefault()).data).toEqual({ appSlug: APP[platform].appId });
    },
  );

  it('lists manually installed conferencing apps, not calendars; nothing delegated for users outside an org', async () => {
    const user = await t.fixtures.user();
    const auth = bearer(await t.fixtures.apiKey(user.id));
    const zoom = await t.prisma.credential.create({
      data: { userId: user.id, type: 'zoom_video', appId: 'zoom' },
    });
    await t.prisma.credential.create({
      data: { userId: user.id, type: 'apple_calendar', appId: 'apple-calendar' },
    });
    const res = await http().get('/v2/conferencing').set(auth).expect(200);
    expect(res.body.data).toEqual([
      {
        id: zoom.id,
        type: 'zoom_video',
        appId: 'zoom',
        userId: user.id,
        invalid: false,
        delegationCredentialId: null,
      },
    ]);
    expect((await http().get('/v2/conferencing/default').set(auth).expect(200)).body).toEqual({
      status: 'success',
      data: {},
    });
  });

  it('401 without credentials', async () => {
    await http().get('/v2/conferencing').expect(401);
    await http().get('/v2/conferencing/default').expect(401);
  });
});
