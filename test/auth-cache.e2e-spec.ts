import request from 'supertest';
import { ApiKeyUsageRecorder } from '../src/auth/api-key-usage.service';
import { AuthRepository } from '../src/auth/auth.repository';
import { PrincipalCache } from '../src/auth/principal-cache.service';
import { createTestApp, type TestApp, useTestApp } from './utils/app';
import { bearer } from './utils/fixtures';

// A TTL far beyond any test: every change below must reach the cache through its notification, never by expiry.
process.env.AUTH_CACHE_TTL_SECONDS = '3600';

const INVALIDATION_TIMEOUT_MS = 10_000;

/**
 * Runs `change` and resolves once `cache` has received the notification dropping `tag` (or everything). The
 * listener is registered before the change, so the notification cannot be missed.
 */
async function afterInvalidation(cache: PrincipalCache, tag: string, change: () => Promise<unknown>) {
  let timer: NodeJS.Timeout | undefined;
  const seen = new Promise<void>((resolve, reject) => {
    const onInvalidated = (tags: string[] | '*') => {
      if (tags === '*' || tags.includes(tag)) {
        cache.events.off('invalidated', onInvalidated);
        resolve();
      }
    };
    cache.events.on('invalidated', onInvalidated);
    timer = setTimeout(() => {
      cache.events.off('invalidated', onInvalidated);
      reject(new Error(`no invalidation of ${tag} within ${INVALIDATION_TIMEOUT_MS} ms`));
    }, INVALIDATION_TIMEOUT_MS);
  });
  try {
    await change();
    await seen;
  } finally {
    clearTimeout(timer);
  }
}

const waitFor = (cache: PrincipalCache, event: 'listening' | 'unlistening') =>
  new Promise<void>((resolve) => cache.events.once(event, () => resolve()));

describe('Principal cache: one query per request, immediate invalidation (e2e)', () => {
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());
  const cache = () => t.app.get(PrincipalCache);
  const list = (orgId: number, auth: Record<string, string>) =>
    http().get(`/v2/organizations/${orgId}/delegation-credentials`).set(auth);
  /**
   * list() until an answer comes from the cache (normally the second; a load that overlapped any notification, e.g.
   * of the fixtures just written, is not stored), every answer with `status`.
   */
  const listCached = async (orgId: number, auth: Record<string, string>, status: number) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const hits = cache().stats().hits;
      const res = await list(orgId, auth).expect(status);
      if (cache().stats().hits > hits) return res;
    }
    throw new Error('never answered from the cache');
  };

  afterEach(() => jest.restoreAllMocks());

  it('listens once the app is up', () => {
    expect(cache().stats()).toMatchObject({ listening: true });
  });

  it('resolves the whole guard chain in one query, then serves repeated requests without the database', async () => {
    const repo = t.app.get(AuthRepository);
    const resolve = jest.spyOn(repo, 'resolveApiKey');
    const findTeam = jest.spyOn(repo, 'findTeam');
    const findMembership = jest.spyOn(repo, 'findMembership');
    const { org, auth } = await t.fixtures.orgWithAdmin({ pbacEnabled: true });
    await list(org.id, auth).expect(200);
    expect(resolve).toHaveBeenCalledTimes(1);
    await listCached(org.id, auth, 200);
    resolve.mockClear();
    await list(org.id, auth).expect(200);
    await list(org.id, auth).expect(200);
    expect(resolve).not.toHaveBeenCalled();
    expect(findTeam).not.toHaveBeenCalled();
    expect(findMembership).not.toHaveBeenCalled();
  });

  it('shares one query among concurrent first requests of a key', async () => {
    const resolve = jest.spyOn(t.app.get(AuthRepository), 'resolveApiKey');
    const { org, auth } = await t.fixtures.orgWithAdmin();
    await Promise.all(Array.from({ length: 5 }, () => list(org.id, auth).expect(200)));
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('deleted key → 401 at once', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    await listCached(org.id, auth, 200);
    const key = await t.prisma.apiKey.findFirstOrThrow({ where: { userId: admin.id } });
    await afterInvalidation(cache(), `k:${key.hashedKey}`, () =>
      t.prisma.apiKey.delete({ where: { id: key.id } }),
    );
    const res = await list(org.id, auth).expect(401);
    expect(res.body.error.message).toBe('ApiAuthStrategy - api key - Your api key is not valid');
  });

  it('demoted admin → 403 at once (role changed through the memberships API)', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    const owner = await t.fixtures.orgWithAdmin(); // another user, made owner of this org below
    await t.fixtures.membership(owner.admin.id, org.id, 'OWNER');
    const ownerAuth = bearer(await t.fixtures.apiKey(owner.admin.id));
    await listCached(org.id, auth, 200);
    const membership = await t.prisma.membership.findUniqueOrThrow({
      where: { userId_teamId: { userId: admin.id, teamId: org.id } },
    });
    await afterInvalidation(cache(), `m:${admin.id}:${org.id}`, () =>
      http()
        .patch(`/v2/organizations/${org.id}/memberships/${membership.id}`)
        .set(ownerAuth)
        .send({ role: 'MEMBER' })
        .expect(200),
    );
    const res = await list(org.id, auth).expect(403);
    expect(res.body.error.message).toContain('does not have the minimum required role=ORG_ADMIN');
  });

  it('membership removed → 403 at once; added back → 200 at once', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    await listCached(org.id, auth, 200);
    await afterInvalidation(cache(), `m:${admin.id}:${org.id}`, () =>
      t.prisma.membership.deleteMany({ where: { userId: admin.id, teamId: org.id } }),
    );
    const res = await listCached(org.id, auth, 403);
    expect(res.body.error.message).toBe(
      `RolesGuard - User is not a member of the organization with id=${org.id}.`,
    );
    await afterInvalidation(cache(), `m:${admin.id}:${org.id}`, () =>
      t.fixtures.membership(admin.id, org.id, 'ADMIN'),
    );
    await list(org.id, auth).expect(200);
  });

  it('membership no longer accepted → 403 at once', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    await listCached(org.id, auth, 200);
    await afterInvalidation(cache(), `m:${admin.id}:${org.id}`, () =>
      t.prisma.membership.updateMany({
        where: { userId: admin.id, teamId: org.id },
        data: { accepted: false },
      }),
    );
    expect((await list(org.id, auth).expect(403)).body.error.message).toContain('is not accepted yet');
  });

  it('PBAC permission removed from the custom role → 403 at once; granted again → 200', async () => {
    const org = await t.fixtures.org({ pbacEnabled: true });
    const role = await t.fixtures.customRole(org.id, ['organization.update']);
    const user = await t.fixtures.user();
    await t.fixtures.membership(user.id, org.id, 'MEMBER', true, role.id);
    const auth = bearer(await t.fixtures.apiKey(user.id));
    await listCached(org.id, auth, 200);
    await afterInvalidation(cache(), `r:${role.id}`, () =>
      t.prisma.role.update({ where: { id: role.id }, data: { permissions: ['organization.listMembers'] } }),
    );
    await listCached(org.id, auth, 403);
    await afterInvalidation(cache(), `r:${role.id}`, () =>
      t.prisma.role.update({ where: { id: role.id }, data: { permissions: ['organization.update'] } }),
    );
    await list(org.id, auth).expect(200);
    // The custom role taken off the membership.
    await afterInvalidation(cache(), `m:${user.id}:${org.id}`, () =>
      t.prisma.membership.updateMany({
        where: { userId: user.id, teamId: org.id },
        data: { customRoleId: null },
      }),
    );
    await list(org.id, auth).expect(403);
  });

  it('org flag changes → effective at once (Admin API, PBAC, platform plan, organization)', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    const setFlags = (data: object) =>
      afterInvalidation(cache(), `t:${org.id}`, () => t.prisma.team.update({ where: { id: org.id }, data }));
    await listCached(org.id, auth, 200);

    await setFlags({ adminApiEnabled: false });
    expect((await listCached(org.id, auth, 403)).body.error.message).toContain(
      'IsAdminAPIEnabledGuard - Organization does not have Admin API access',
    );
    await setFlags({ adminApiEnabled: true });
    await listCached(org.id, auth, 200);

    await setFlags({ isPlatform: true, platformBillingPlan: 'ESSENTIALS' });
    expect((await listCached(org.id, auth, 403)).body.error.message).toContain('Minimum plan is SCALE');
    await setFlags({ platformBillingPlan: 'SCALE' });
    await listCached(org.id, auth, 200);

    await setFlags({ isOrganization: false });
    expect((await list(org.id, auth).expect(403)).body.error.message).toContain(
      'does not represent any existing organization',
    );
  });

  it('PBAC switched on for the org → a member with the permission passes at once', async () => {
    const org = await t.fixtures.org({ pbacEnabled: false });
    const role = await t.fixtures.customRole(org.id, ['organization.update']);
    const user = await t.fixtures.user();
    await t.fixtures.membership(user.id, org.id, 'MEMBER', true, role.id);
    const auth = bearer(await t.fixtures.apiKey(user.id));
    await listCached(org.id, auth, 403);
    await afterInvalidation(cache(), `t:${org.id}`, () =>
      t.prisma.team.update({ where: { id: org.id }, data: { pbacEnabled: true } }),
    );
    await list(org.id, auth).expect(200);
  });

  it('an organization created after a request for its id is seen at once', async () => {
    const { auth } = await t.fixtures.orgWithAdmin();
    const next = (await t.prisma.team.aggregate({ _max: { id: true } }))._max.id! + 1000;
    await listCached(next, auth, 403);
    const user = await t.fixtures.user(`root-${next}@example.com`, 'ADMIN');
    const sysAuth = bearer(await t.fixtures.apiKey(user.id));
    await listCached(next, sysAuth, 403);
    await afterInvalidation(cache(), `t:${next}`, () =>
      t.prisma.team.create({
        data: { id: next, name: `o${next}`, slug: `o-${next}`, isOrganization: true, adminApiEnabled: true },
      }),
    );
    await list(next, sysAuth).expect(200);
  });

  it('user promoted to system admin → passes at once; demoted → 403 at once', async () => {
    const org = await t.fixtures.org();
    const user = await t.fixtures.user();
    const auth = bearer(await t.fixtures.apiKey(user.id));
    await listCached(org.id, auth, 403);
    await afterInvalidation(cache(), `u:${user.id}`, () =>
      t.prisma.user.update({ where: { id: user.id }, data: { role: 'ADMIN' } }),
    );
    await listCached(org.id, auth, 200);
    await afterInvalidation(cache(), `u:${user.id}`, () =>
      t.prisma.user.update({ where: { id: user.id }, data: { role: 'USER' } }),
    );
    await list(org.id, auth).expect(403);
  });

  it('user email changed → the next request acts with the new email', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    await listCached(org.id, auth, 200);
    const resolve = jest.spyOn(t.app.get(AuthRepository), 'resolveApiKey');
    const email = `renamed-${admin.id}@example.com`;
    await afterInvalidation(cache(), `u:${admin.id}`, () =>
      t.prisma.user.update({ where: { id: admin.id }, data: { email } }),
    );
    await list(org.id, auth).expect(200);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect((await resolve.mock.results[0].value)?.user?.email).toBe(email);
  });

  it('lastUsedAt changes do not evict the cache', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    await listCached(org.id, auth, 200);
    const invalidated = jest.fn();
    cache().events.on('invalidated', invalidated);
    try {
      // The same statement shape the usage recorder writes, plus a control change to wait for.
      await t.prisma.apiKey.updateMany({ where: { userId: admin.id }, data: { lastUsedAt: new Date() } });
      const other = await t.fixtures.user();
      await afterInvalidation(cache(), `u:${other.id}`, () =>
        t.prisma.user.update({ where: { id: other.id }, data: { name: 'control' } }),
      );
      expect(invalidated.mock.calls.flat()).not.toContainEqual(expect.arrayContaining([`u:${admin.id}`]));
      const hits = cache().stats().hits;
      await list(org.id, auth).expect(200);
      expect(cache().stats().hits).toBe(hits + 1);
    } finally {
      cache().events.off('invalidated', invalidated);
    }
  });

  it('stamps lastUsedAt off the request path, in one batched write', async () => {
    const { org, admin, auth } = await t.fixtures.orgWithAdmin();
    const before = new Date();
    await list(org.id, auth).expect(200);
    await list(org.id, auth).expect(200);
    await t.app.get(ApiKeyUsageRecorder).flush();
    const key = await t.prisma.apiKey.findFirstOrThrow({ where: { userId: admin.id } });
    expect(key.lastUsedAt).not.toBeNull();
    expect(key.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(key.lastUsedAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  describe('platform OAuth clients', () => {
    const listAs = (orgId: number, client: { id: string; secret: string }) =>
      http()
        .get(`/v2/organizations/${orgId}/delegation-credentials`)
        .set('x-cal-client-id', client.id)
        .set('x-cal-secret-key', client.secret);

    it('owner membership removed → 401 at once; a wrong secret is refused from the cache too', async () => {
      const org = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, org.id, 'OWNER');
      const client = await t.fixtures.oauthClient(org.id);
      await listAs(org.id, client).expect(200);
      await listAs(org.id, client).expect(200);
      await listAs(org.id, { id: client.id, secret: 'wrong' }).expect(401);
      await afterInvalidation(cache(), `co:${org.id}`, () =>
        t.prisma.membership.deleteMany({ where: { userId: owner.id, teamId: org.id } }),
      );
      const res = await listAs(org.id, client).expect(401);
      expect(res.body.error.message).toBe(
        'ApiAuthStrategy - oAuth client - No owner ID found for this OAuth client',
      );
    });

    it('secret rotated → the old secret fails at once', async () => {
      const org = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, org.id, 'OWNER');
      const client = await t.fixtures.oauthClient(org.id);
      await listAs(org.id, client).expect(200);
      await afterInvalidation(cache(), `c:${client.id}`, () =>
        t.prisma.platformOAuthClient.update({
          where: { id: client.id },
          data: { secretHash: 'f'.repeat(64) },
        }),
      );
      await listAs(org.id, client).expect(401);
    });
  });

  describe('across API replicas', () => {
    let other: TestApp;
    beforeAll(async () => {
      other = await createTestApp();
    });
    afterAll(async () => {
      await other.close();
    });

    it('a demotion made through one replica is enforced by the other at once', async () => {
      const { org, admin, auth } = await t.fixtures.orgWithAdmin();
      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, org.id, 'OWNER');
      const ownerAuth = bearer(await t.fixtures.apiKey(owner.id));
      const onOther = () =>
        request(other.app.getHttpServer())
          .get(`/v2/organizations/${org.id}/delegation-credentials`)
          .set(auth);
      await onOther().expect(200);
      await onOther().expect(200);
      expect(other.app.get(PrincipalCache).stats().hits).toBeGreaterThan(0);
      const membership = await t.prisma.membership.findUniqueOrThrow({
        where: { userId_teamId: { userId: admin.id, teamId: org.id } },
      });
      await afterInvalidation(other.app.get(PrincipalCache), `m:${admin.id}:${org.id}`, () =>
        http()
          .patch(`/v2/organizations/${org.id}/memberships/${membership.id}`)
          .set(ownerAuth)
          .send({ role: 'MEMBER' })
          .expect(200),
      );
      await onOther().expect(403);
    });
  });

  describe('read-your-writes: the very next request, without waiting for the notification', () => {
    // A notification reaches the LISTEN connection some time after the writer's COMMIT returned: before the
    // barrier, a request sent right after the change was sometimes answered from the old entry (2 of 40 here).
    const ROUNDS = 20;

    it('demoted and promoted again: every next request sees the role', async () => {
      const { org, admin, auth } = await t.fixtures.orgWithAdmin();
      const setRole = (role: 'ADMIN' | 'MEMBER') =>
        t.prisma.membership.updateMany({ where: { userId: admin.id, teamId: org.id }, data: { role } });
      const seen: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await listCached(org.id, auth, 200);
        await setRole('MEMBER');
        seen.push((await list(org.id, auth)).status);
        await setRole('ADMIN');
        seen.push((await list(org.id, auth)).status);
      }
      expect(seen).toEqual(Array.from({ length: ROUNDS }, () => [403, 200]).flat());
      expect(cache().stats().hits).toBeGreaterThan(0);
    });

    it('deleted key: the next request is refused', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { org, admin, auth } = await t.fixtures.orgWithAdmin();
        await listCached(org.id, auth, 200);
        await t.prisma.apiKey.deleteMany({ where: { userId: admin.id } });
        await list(org.id, auth).expect(401);
      }
    });
  });

  describe('a lost LISTEN connection', () => {
    it('flushes the cache, bypasses it until listening again, then caches again', async () => {
      const { org, auth } = await t.fixtures.orgWithAdmin();
      await listCached(org.id, auth, 200);
      expect(cache().stats().size).toBeGreaterThan(0);

      const down = waitFor(cache(), 'unlistening');
      const up = waitFor(cache(), 'listening');
      const resolve = jest.spyOn(t.app.get(AuthRepository), 'resolveApiKey');
      await t.prisma.$queryRaw`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'delegation-auth-cache' AND datname = current_database()`;
      await down;
      expect(cache().stats()).toMatchObject({ size: 0 });
      // While not listening, requests read the database and nothing is stored. (If LISTEN is already back, the
      // request is simply a first miss: it reads the database as well.)
      await list(org.id, auth).expect(200);
      expect(resolve).toHaveBeenCalledTimes(1);

      await up;
      expect(cache().stats().listening).toBe(true);
      await listCached(org.id, auth, 200);
    });
  });
});

describe('Principal cache off (AUTH_CACHE_TTL_SECONDS=0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    process.env.AUTH_CACHE_TTL_SECONDS = '0';
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    process.env.AUTH_CACHE_TTL_SECONDS = '3600';
  });

  it('reads the database on every request, still in one query for the whole guard chain', async () => {
    const repo = t.app.get(AuthRepository);
    const resolve = jest.spyOn(repo, 'resolveApiKey');
    const findTeam = jest.spyOn(repo, 'findTeam');
    const findMembership = jest.spyOn(repo, 'findMembership');
    const { org, auth } = await t.fixtures.orgWithAdmin({ pbacEnabled: true });
    const list = () =>
      request(t.app.getHttpServer()).get(`/v2/organizations/${org.id}/delegation-credentials`).set(auth);
    await list().expect(200);
    await list().expect(200);
    expect(resolve).toHaveBeenCalledTimes(2);
    expect(findTeam).not.toHaveBeenCalled();
    expect(findMembership).not.toHaveBeenCalled();
    expect(t.app.get(PrincipalCache).stats()).toMatchObject({ size: 0, listening: false });
  });
});
