import request from 'supertest';
import { useTestApp } from './utils/app';
import { bearer } from './utils/fixtures';

const EXPIRED = 'ApiAuthStrategy - api key - Your api key is expired';
const MINUTE = 60_000;

/** Exact API key expiry: a key stops working the instant now > expiresAt (compared as instants, not by day). */
describe('API key expiry (e2e)', () => {
  const t = useTestApp();
  const list = (orgId: number, apiKey: string) =>
    request(t.app.getHttpServer())
      .get(`/v2/organizations/${orgId}/delegation-credentials`)
      .set(bearer(apiKey));

  it('rejects a key that expired two minutes ago (same UTC day) with 401', async () => {
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const key = await t.fixtures.apiKey(admin.id, { expiresAt: new Date(Date.now() - 2 * MINUTE) });
    const res = await list(org.id, key).expect(401);
    expect(res.body.error.message).toBe(EXPIRED);
  });

  it('rejects a key that expired at 00:00 UTC today', async () => {
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const key = await t.fixtures.apiKey(admin.id, { expiresAt: midnight });
    expect((await list(org.id, key).expect(401)).body.error.message).toBe(EXPIRED);
  });

  it('accepts a key expiring in the future, and a key without expiry', async () => {
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const soon = await t.fixtures.apiKey(admin.id, { expiresAt: new Date(Date.now() + 2 * MINUTE) });
    await list(org.id, soon).expect(200);
    const never = await t.fixtures.apiKey(admin.id, { expiresAt: null });
    await list(org.id, never).expect(200);
  });

  it('stops accepting a key the instant it expires, even after it was used', async () => {
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const key = await t.fixtures.apiKey(admin.id, { expiresAt: new Date(Date.now() + 2 * MINUTE) });
    await list(org.id, key).expect(200);
    // Move the expiry into the past (as if its time had come): the very next request is refused.
    await t.prisma.apiKey.updateMany({
      where: { userId: admin.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await list(org.id, key).expect(401)).body.error.message).toBe(EXPIRED);
  });

  it('also refuses an expired key on member routes', async () => {
    const { admin } = await t.fixtures.orgWithAdmin();
    const key = await t.fixtures.apiKey(admin.id, { expiresAt: new Date(Date.now() - 2 * MINUTE) });
    const res = await request(t.app.getHttpServer()).get('/v2/calendars').set(bearer(key)).expect(401);
    expect(res.body.error.message).toBe(EXPIRED);
  });
});
