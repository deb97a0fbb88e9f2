import request from 'supertest';
import { useTestApp } from './utils/app';
import { bearer, uniq } from './utils/fixtures';

const NO_AUTH =
  "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers";

describe('Authentication and authorization guards (e2e)', () => {
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());
  const list = (orgId: number | string) => http().get(`/v2/organizations/${orgId}/delegation-credentials`);
  /** list() with a fresh API key of `userId`, expecting `status`. */
  const listAs = async (orgId: number, userId: number, status: number) =>
    list(orgId)
      .set(bearer(await t.fixtures.apiKey(userId)))
      .expect(status);

  describe('authentication (401)', () => {
    it('rejects a request without credentials', async () => {
      const res = await list(1).expect(401);
      expect(res.body).toMatchObject({
        status: 'error',
        error: { code: 'UnauthorizedException', message: NO_AUTH },
      });
    });

    it('rejects only x-cal-client-id, and only x-cal-secret-key, naming the missing header', async () => {
      const a = await list(1).set('x-cal-client-id', 'abc').expect(401);
      expect(a.body.error.message).toContain(
        "Only 'x-cal-client-id' header provided. Please also provide 'x-cal-secret-key'",
      );
      const b = await list(1).set('x-cal-secret-key', 'abc').expect(401);
      expect(b.body.error.message).toContain(
        "Only 'x-cal-secret-key' header provided. Please also provide 'x-cal-client-id'",
      );
    });

    it('rejects an unknown API key', async () => {
      const res = await list(1).set('Authorization', 'Bearer cal_deadbeef').expect(401);
      expect(res.body.error.message).toBe('ApiAuthStrategy - api key - Your api key is not valid');
    });

    it('rejects a bearer token that is not an API key, and a non-bearer header', async () => {
      const a = await list(1).set('Authorization', 'Bearer xyz').expect(401);
      expect(a.body.error.message).toBe("ApiAuthStrategy - Invalid Bearer token: API keys start with 'cal_'");
      const b = await list(1).set('Authorization', 'Basic abc').expect(401);
      expect(b.body.error.message).toBe(
        "ApiAuthStrategy - Authorization header must have the form 'Bearer <api key>'",
      );
    });

    it('stores only the hash of the key after the prefix', async () => {
      const { admin, apiKey } = await t.fixtures.orgWithAdmin();
      const rows = await t.prisma.apiKey.findMany({ where: { userId: admin.id } });
      expect(rows).toHaveLength(1);
      expect(rows[0].hashedKey).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].hashedKey).not.toContain(apiKey.slice(4));
    });

    it('rejects an unknown OAuth client and a wrong secret', async () => {
      const a = await list(1).set('x-cal-client-id', 'nope').set('x-cal-secret-key', 's').expect(401);
      expect(a.body.error.message).toBe('ApiAuthStrategy - oAuth client - Client with ID nope not found');
      const org = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const client = await t.fixtures.oauthClient(org.id);
      const b = await list(org.id)
        .set('x-cal-client-id', client.id)
        .set('x-cal-secret-key', 'wrong')
        .expect(401);
      expect(b.body.error.message).toBe('ApiAuthStrategy - oAuth client - Invalid client secret');
    });

    it('rejects an OAuth client whose organization has no owner or admin', async () => {
      const org = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const client = await t.fixtures.oauthClient(org.id);
      const res = await list(org.id)
        .set('x-cal-client-id', client.id)
        .set('x-cal-secret-key', client.secret)
        .expect(401);
      expect(res.body.error.message).toBe(
        'ApiAuthStrategy - oAuth client - No owner ID found for this OAuth client',
      );
    });

    it('lets the OAuth client win over a bearer key, acting as the platform owner', async () => {
      const org = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, org.id, 'OWNER');
      const client = await t.fixtures.oauthClient(org.id);
      await list(org.id)
        .set('Authorization', 'Bearer cal_invalid')
        .set('x-cal-client-id', client.id)
        .set('x-cal-secret-key', client.secret)
        .expect(200);
    });

    it('keeps an OAuth client inside its own organization', async () => {
      const own = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const other = await t.fixtures.org({ isPlatform: true, platformBillingPlan: 'SCALE' });
      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, own.id, 'OWNER');
      await t.fixtures.membership(owner.id, other.id, 'OWNER');
      const client = await t.fixtures.oauthClient(own.id);
      const res = await list(other.id)
        .set('x-cal-client-id', client.id)
        .set('x-cal-secret-key', client.secret)
        .expect(403);
      expect(res.body.error.message).toContain(`cannot act on organization with id=${other.id}`);
    });
  });

  describe('organization guards', () => {
    it('IsOrg: a non-numeric orgId is 400, never 500', async () => {
      const { apiKey } = await t.fixtures.orgWithAdmin();
      for (const bad of ['abc', '1.5', '-3', '0', '99999999999']) {
        const res = await list(bad).set(bearer(apiKey)).expect(400);
        expect(res.body.error.message).toMatch(/orgId must be a positive integer/);
      }
    });

    it('IsOrg: an unknown id or a plain team is 403', async () => {
      const { apiKey } = await t.fixtures.orgWithAdmin();
      const a = await list(2_000_000_000).set(bearer(apiKey)).expect(403);
      expect(a.body.error.message).toBe(
        'IsOrgGuard - provided organization id=2000000000 does not represent any existing organization.',
      );
      const team = await t.fixtures.org({ isOrganization: false });
      await list(team.id).set(bearer(apiKey)).expect(403);
    });

    it('Roles: admin and owner pass; member, pending admin and outsiders get 403 with the reason', async () => {
      const { org, apiKey } = await t.fixtures.orgWithAdmin();
      await list(org.id).set(bearer(apiKey)).expect(200);

      const owner = await t.fixtures.user();
      await t.fixtures.membership(owner.id, org.id, 'OWNER');
      await listAs(org.id, owner.id, 200);

      const member = await t.fixtures.user();
      await t.fixtures.membership(member.id, org.id, 'MEMBER');
      const m = await listAs(org.id, member.id, 403);
      expect(m.body.error.message).toBe(
        `RolesGuard - user with id=${member.id} does not have the minimum required role=ORG_ADMIN within organization with id=${org.id}.`,
      );

      const pending = await t.fixtures.user();
      await t.fixtures.membership(pending.id, org.id, 'ADMIN', false);
      const p = await listAs(org.id, pending.id, 403);
      expect(p.body.error.message).toContain('is not accepted yet');

      const outsider = await t.fixtures.orgWithAdmin();
      const o = await list(org.id).set(bearer(outsider.apiKey)).expect(403);
      expect(o.body.error.message).toBe(
        `RolesGuard - User is not a member of the organization with id=${org.id}.`,
      );
    });

    it('Roles: a system admin passes without membership', async () => {
      const org = await t.fixtures.org();
      const sysadmin = await t.fixtures.user(`root-${uniq()}@example.com`, 'ADMIN');
      await listAs(org.id, sysadmin.id, 200);
    });

    it('PBAC: a member whose role grants organization.update passes only when the org has PBAC on', async () => {
      const org = await t.fixtures.org({ pbacEnabled: true });
      const granted = await t.fixtures.customRole(org.id, ['organization.update']);
      const other = await t.fixtures.customRole(org.id, ['organization.listMembers']);
      const a = await t.fixtures.user();
      await t.fixtures.membership(a.id, org.id, 'MEMBER', true, granted.id);
      await listAs(org.id, a.id, 200);

      const b = await t.fixtures.user();
      await t.fixtures.membership(b.id, org.id, 'MEMBER', true, other.id);
      await listAs(org.id, b.id, 403);

      const c = await t.fixtures.user();
      await t.fixtures.membership(c.id, org.id, 'MEMBER', false, granted.id);
      await listAs(org.id, c.id, 403);

      const noPbac = await t.fixtures.org({ pbacEnabled: false });
      const role = await t.fixtures.customRole(noPbac.id, ['organization.update']);
      const d = await t.fixtures.user();
      await t.fixtures.membership(d.id, noPbac.id, 'MEMBER', true, role.id);
      await listAs(noPbac.id, d.id, 403);
    });

    it('PlatformPlan: platform orgs need SCALE or better; regular orgs are not checked', async () => {
      const low = await t.fixtures.orgWithAdmin({ isPlatform: true, platformBillingPlan: 'ESSENTIALS' });
      const a = await list(low.org.id).set(bearer(low.apiKey)).expect(403);
      expect(a.body.error.message).toBe(
        `PlatformPlanGuard - organization with id=${low.org.id} does not have required plan for this operation. Minimum plan is SCALE while the organization has ESSENTIALS.`,
      );
      const none = await t.fixtures.orgWithAdmin({ isPlatform: true, platformBillingPlan: null });
      const b = await list(none.org.id).set(bearer(none.apiKey)).expect(403);
      expect(b.body.error.message).toContain('No platform subscription found');
      const ent = await t.fixtures.orgWithAdmin({
        isPlatform: true,
        platformBillingPlan: 'ENTERPRISE',
        adminApiEnabled: false,
      });
      await list(ent.org.id).set(bearer(ent.apiKey)).expect(200);
    });

    it('AdminAPIEnabled: non-platform orgs need the Admin API', async () => {
      const off = await t.fixtures.orgWithAdmin({ adminApiEnabled: false });
      const res = await list(off.org.id).set(bearer(off.apiKey)).expect(403);
      expect(res.body.error.message).toBe(
        'IsAdminAPIEnabledGuard - Organization does not have Admin API access, please contact https://cal.com/sales to upgrade',
      );
    });

    it('runs the guards in order: authentication before organization checks', async () => {
      await list('abc').expect(401);
    });
  });
});
