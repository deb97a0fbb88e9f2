import request from 'supertest';
import { createTestApp, type TestApp } from './utils/app';
import { bearer } from './utils/fixtures';

/** bull-board at /admin/queues: system admins only (ApiAuthGuard, then role ADMIN), or 404 when switched off. */
describe('Queue dashboard (e2e)', () => {
  describe('enabled', () => {
    let t: TestApp;
    beforeAll(async () => {
      process.env.QUEUE_DASHBOARD_ENABLED = 'true';
      t = await createTestApp();
    });
    afterAll(async () => {
      await t.close();
      delete process.env.QUEUE_DASHBOARD_ENABLED;
    });
    const http = () => request(t.app.getHttpServer());

    it('answers 401 without credentials or with an invalid key, in the error envelope', async () => {
      const res = await http().get('/admin/queues').expect(401);
      expect(res.body).toMatchObject({
        status: 'error',
        path: '/admin/queues',
        error: { code: 'UnauthorizedException' },
      });
      await http().get('/admin/queues/api/queues').set(bearer('cal_not_a_key')).expect(401);
    });

    it('answers 403 to an organization admin who is not a system admin', async () => {
      const { auth } = await t.fixtures.orgWithAdmin();
      const res = await http().get('/admin/queues').set(auth).expect(403);
      expect(res.body.error).toMatchObject({ code: 'ForbiddenException' });
      await http().get('/admin/queues/api/queues').set(auth).expect(403);
    });

    it('serves the dashboard and its API, over every queue, to a system admin', async () => {
      const sysadmin = await t.fixtures.user(undefined, 'ADMIN');
      const auth = bearer(await t.fixtures.apiKey(sysadmin.id));
      const page = await http().get('/admin/queues').set(auth).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('Delegation jobs');
      const api = await http().get('/admin/queues/api/queues').set(auth).expect(200);
      const names = (api.body as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      expect(names).toEqual([
        'delegation-lifecycle',
        'member-verify-google',
        'member-verify-office365',
        'webhook-delivery',
      ]);
    });
  });

  describe('QUEUE_DASHBOARD_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      process.env.QUEUE_DASHBOARD_ENABLED = 'false';
      t = await createTestApp();
    });
    afterAll(async () => {
      await t.close();
      delete process.env.QUEUE_DASHBOARD_ENABLED;
    });

    it('answers 404, even to a system admin', async () => {
      const sysadmin = await t.fixtures.user(undefined, 'ADMIN');
      const auth = bearer(await t.fixtures.apiKey(sysadmin.id));
      await request(t.app.getHttpServer()).get('/admin/queues').set(auth).expect(404);
      await request(t.app.getHttpServer()).get('/admin/queues/api/queues').expect(404);
    });
  });
});
