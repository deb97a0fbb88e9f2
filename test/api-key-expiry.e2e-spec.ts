import request from 'supertest';
import { PrincipalCache } from '../src/auth/principal-cache.service';
import { useTestApp } from './utils/app';
import { bearer } from './utils/fixtures';

const EXPIRED = 'ApiAuthStrategy - api key - Your api key is expired';
const MINUTE = 60_000;

// The principal cache is on in this file (ordinary test files turn it off: see test/setup/global-setup.ts).
process.env.AUTH_CACHE_TTL_SECONDS = '3600';

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

  it('stops accepting a key the instant it expires, even while its principal is cached', async () => {
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const expiresAt = new Date(Date.now() + 1500);
    const key = await t.fixtures.apiKey(admin.id, { expiresAt });
    await list(org.id, key).expect(200); // resolved and cached (AUTH_CACHE_TTL_SECONDS above)
    const cache = t.app.get(PrincipalCache);
    const hits = cache.stats().hits;
    await list(org.id, key).expect(200);
    expect(cache.stats().hits).toBe(hits + 1);
    // Nothing changes in the database: the cached principal's expiresAt is compared with the clock on every request.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now() + 5)));
    expect((await list(org.id, key).expect(401)).body.error.message).toBe(EXPIRED);
  });

  it('also refuses an expired key on member routes', async () => {
    const { admin } = await t.fixtures.orgWithAdmin();
    const key = await t.fixtures.apiKey(admin.id, { expiresAt: new Date(Date.now() - 2 * MINUTE) });
    const res = await request(t.app.getHttpServer()).get('/v2/calendars').set(bearer(key)).expect(401);
    expect(res.body.error.message).toBe(EXPIRED);
  });
});
