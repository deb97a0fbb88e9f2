import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { LIFECYCLE_QUEUE } from '../src/jobs/jobs.types';
import { delegatedOrg, type DelegatedOrg } from './utils/delegated-org';
import { bearer, uniq } from './utils/fixtures';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

/** The types the classifiers give today, and the refined ones of the provider half of issue 10: either is right. */
const NOT_IN_DIRECTORY = ['USER_NOT_IN_DIRECTORY'];
const NO_MAILBOX = ['USER_NOT_IN_DIRECTORY', 'MAILBOX_NOT_ENABLED'];

const base = (orgId: number) => `/v2/organizations/${orgId}/delegation-credentials`;

/** POST …/{id}/resync and the preflight of POST …/{id}/verify {sampleMembers} (issue 10, points 2 and 10). */
describe('Delegation credentials: resync and preflight (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: INestApplicationContext;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestAppWithFakes();
    worker = await startInProcessWorker();
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const url = (o: DelegatedOrg, path = '') => `${base(o.org.id)}/${o.dcId}${path}`;
  const get = async (o: DelegatedOrg) => (await http().get(url(o)).set(o.auth).expect(200)).body.data;
  const memberRows = (o: DelegatedOrg) =>
    t.prisma.credential.findMany({ where: { delegationCredentialId: o.dcId }, orderBy: { userId: 'asc' } });
  const verify = (o: DelegatedOrg, body?: object, auth = o.auth) => {
    const req = http().post(url(o, '/verify')).set(auth);
    return body === undefined ? req : req.send(body);
  };

  /** An org user with an accepted membership, in or out of the provider's directory (no mailbox at the provider). */
  async function userOf(o: DelegatedOrg, email = `x-${uniq()}@${o.domain}`) {
    const user = await t.fixtures.user(email);
    await t.fixtures.membership(user.id, o.org.id, 'MEMBER', true);
    return { user, auth: bearer(await t.fixtures.apiKey(user.id)) };
  }

  describe('preflight: POST …/verify {sampleMembers}', () => {
    it('on a disabled credential: who would connect and who would fail and why, changing nothing', async () => {
      const o = await delegatedOrg(t, 'google', { enabled: false });
      await o.member();
      await o.member();
      const ghost = await userOf(o, `ghost-${uniq()}@${o.domain}`); // not in the Workspace directory
      await o.member({ accepted: false }); // pending membership: not matching
      await userOf(o, `other-${uniq()}@elsewhere.example`); // another domain: not matching

      const res = await verify(o, { sampleMembers: 50 }).expect(200);
      expect(res.body.data).toMatchObject({ verified: true, subject: o.admin.email });
      expect(res.body.data.sample).toEqual({
        requested: 50,
        matching: 4,
        checked: 4,
        reachable: 3,
        failing: [
          {
            userId: ghost.user.id,
            email: ghost.user.email,
            type: expect.any(String),
            message: expect.any(String),
            scope: 'member',
            permanent: true,
          },
        ],
      });
      expect(NOT_IN_DIRECTORY).toContain(res.body.data.sample.failing[0].type);
      // Nothing changed: still disabled, no member credential written.
      expect(await get(o)).toMatchObject({ enabled: false, status: 'pending' });
      expect(await memberRows(o)).toEqual([]);

      const two = await verify(o, { sampleMembers: 2 }).expect(200);
      expect(two.body.data.sample).toMatchObject({ requested: 2, matching: 4, checked: 2 });
      expect(two.body.data.sample.reachable + two.body.data.sample.failing.length).toBe(2);
      // Without a body, the plain verify (no sample).
      expect((await verify(o).expect(200)).body.data.sample).toBeUndefined();
    });

    it('skips the sample when the credential itself fails (every member would fail the same way)', async () => {
      const o = await delegatedOrg(t, 'google', { enabled: false });
      await o.member();
      t.fake.revokeDomainWideDelegation(o.domain, o.clientId);
      const res = await verify(o, { sampleMembers: 10 }).expect(200);
      expect(res.body.data).toMatchObject({
        verified: false,
        reason: { type: 'CLIENT_NOT_AUTHORIZED', scope: 'credential' },
        sample: {
          requested: 10,
          matching: 2,
          checked: 0,
          reachable: 0,
          failing: [],
          skipped: expect.any(String),
        },
      });
    });

    it('on an enabled Microsoft credential leaves every member as it was', async () => {
      const o = await delegatedOrg(t, 'office365', { enabled: false });
      await o.member();
      const noMailbox = await userOf(o);
      t.fake.addMicrosoftUser(o.tenantId, noMailbox.user.email, { hasMailbox: false });
      await o.setEnabled(true);
      await waitFor(
        async () => {
          const m = (await get(o)).members;
          return m.connected === 2 && m.failing === 1;
        },
        20_000,
        'verification',
      );
      const before = await memberRows(o);

      const res = await verify(o, { sampleMembers: 50 }).expect(200);
      expect(res.body.data.sample).toMatchObject({ matching: 3, checked: 3, reachable: 2 });
      expect(res.body.data.sample.failing).toEqual([
        expect.objectContaining({ userId: noMailbox.user.id, scope: 'member', permanent: true }),
      ]);
      expect(NO_MAILBOX).toContain(res.body.data.sample.failing[0].type);
      expect(await memberRows(o)).toEqual(before);
    });

    it('answers 400 to a bad sampleMembers, 404 to unknown and other orgs’ ids, 403 and 401', async () => {
      const o = await delegatedOrg(t, 'google', { enabled: false });
      for (const body of [
        { sampleMembers: 0 },
        { sampleMembers: 51 },
        { sampleMembers: -3 },
        { sampleMembers: 1.5 },
        { sampleMembers: '5' },
        { sampleSize: 5 },
      ]) {
        const res = await verify(o, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error.message).toMatch(/sampleMembers|sampleSize/);
      }
      await verify(o, { sampleMembers: 50 }).expect(200);
      await verify(o, { sampleMembers: 1 }).expect(200);

      await http()
        .post(`${base(o.org.id)}/${randomUUID()}/verify`)
        .set(o.auth)
        .send({})
        .expect(404);
      await http()
        .post(`${base(o.org.id)}/not-a-uuid/verify`)
        .set(o.auth)
        .send({})
        .expect(404);
      const other = await delegatedOrg(t, 'google', { enabled: false });
      await http()
        .post(`${base(other.org.id)}/${o.dcId}/verify`)
        .set(other.auth)
        .send({ sampleMembers: 5 })
        .expect(404); // another org's credential: like a missing one
      await http().post(url(o, '/verify')).set(other.auth).send({ sampleMembers: 5 }).expect(403); // not a member of o's org
      const member = await o.member();
      await verify(o, { sampleMembers: 5 }, member.auth).expect(403); // a member, not an admin
      // An admin whose email is outside the credential's domain cannot impersonate into it.
      const outsider = await t.fixtures.user(`admin-${uniq()}@elsewhere.example`);
      await t.fixtures.membership(outsider.id, o.org.id, 'ADMIN', true);
      await verify(o, { sampleMembers: 5 }, bearer(await t.fixtures.apiKey(outsider.id))).expect(403);
      await http().post(url(o, '/verify')).send({ sampleMembers: 5 }).expect(401);
    });
  });

  describe('resync: POST …/resync', () => {
    /** An enabled Google credential whose admin and two members are connected. */
    async function connectedOrg() {
      const o = await delegatedOrg(t, 'google', { enabled: false });
      const members = [await o.member(), await o.member()];
      await o.setEnabled(true);
      await waitFor(async () => (await get(o)).members.connected === 3, 20_000, 'three members connected');
      return { o, members };
    }

    it('re-provisions a lost member and re-verifies everyone now, failing members included (no backoff wait)', async () => {
      const { o, members } = await connectedOrg();
      const [lost, ghost] = members;
      // A member whose delegated credential went missing, and one failing until the admin fixes the directory.
      await t.prisma.credential.deleteMany({
        where: { userId: lost.user.id, delegationCredentialId: o.dcId },
      });
      t.fake.google.removeUser(ghost.user.email);
      t.fake.expireTokens();
      await http().get('/v2/calendars').set(ghost.auth).expect(200);
      expect((await get(o)).members).toMatchObject({ connected: 1, failing: 1 });
      t.fake.addGoogleUser(ghost.user.email); // fixed; its next backoff re-check is 5 minutes away

      const res = await http().post(url(o, '/resync')).set(o.auth).expect(202);
      expect(res.body).toEqual({
        status: 'success',
        data: {
          delegationCredentialId: o.dcId,
          requestedAt: expect.any(String),
          jobId: `resync_${o.dcId}_1_${new Date(res.body.data.requestedAt).getTime()}`,
        },
      });
      await waitFor(
        async () => {
          const m = (await get(o)).members;
          return m.connected === 3 && m.failing === 0;
        },
        20_000,
        'every member connected',
      );
      expect((await memberRows(o)).map((r) => r.userId)).toContain(lost.user.id);
      const audit = (await http().get(url(o, '/audit')).set(o.auth).expect(200)).body.data;
      expect(audit[0]).toMatchObject({ action: 'RESYNC', outcome: 'SUCCESS', actorUserId: o.admin.id });
    });

    it('brings a failing credential back when the cause is fixed; stops after the check while it is still broken', async () => {
      const { o } = await connectedOrg();
      t.fake.revokeDomainWideDelegation(o.domain, o.clientId);
      const failed = await verify(o).expect(200);
      expect(failed.body.data).toMatchObject({ verified: false, reason: { scope: 'credential' } });
      expect(await get(o)).toMatchObject({ status: 'failing', members: { blocked: 3, connected: 0 } });

      const stillBroken = await http().post(url(o, '/resync')).set(o.auth).expect(202);
      await t.intentsDispatched();
      const job = await t.queue(LIFECYCLE_QUEUE).getJob(stillBroken.body.data.jobId as string);
      await waitFor(async () => (await job!.getState()) === 'completed', 20_000, 'the resync job');
      expect((await t.queue(LIFECYCLE_QUEUE).getJob(job!.id!))!.returnvalue).toMatchObject({
        check: 'failed',
        stopped: 'credential failing',
      });
      expect(await get(o)).toMatchObject({ status: 'failing', members: { blocked: 3 } });

      t.fake.authorizeDomainWideDelegation(o.domain, o.clientId);
      await http().post(url(o, '/resync')).set(o.auth).expect(202);
      await waitFor(
        async () => {
          const dc = await get(o);
          return dc.status === 'active' && dc.members.connected === 3;
        },
        20_000,
        'the credential active and every member connected',
      );
    });

    it('answers 409 for a disabled or deleting credential, 404 to unknown and other orgs’ ids, 403 and 401', async () => {
      const o = await delegatedOrg(t, 'google', { enabled: false });
      const disabled = await http().post(url(o, '/resync')).set(o.auth).expect(409);
      expect(disabled.body.error.message).toContain('is not enabled');
      await http()
        .post(`${base(o.org.id)}/${randomUUID()}/resync`)
        .set(o.auth)
        .expect(404);
      await http()
        .post(`${base(o.org.id)}/not-a-uuid/resync`)
        .set(o.auth)
        .expect(404);
      const other = await delegatedOrg(t, 'google', { enabled: false });
      await http()
        .post(`${base(other.org.id)}/${o.dcId}/resync`)
        .set(other.auth)
        .expect(404);
      await http().post(url(o, '/resync')).set(other.auth).expect(403);
      const member = await o.member();
      await http().post(url(o, '/resync')).set(member.auth).expect(403);
      await http().post(url(o, '/resync')).expect(401);

      // Being deleted (what DELETE leaves until its job has removed the row).
      await t.prisma.delegationCredential.update({ where: { id: o.dcId }, data: { status: 'DELETING' } });
      const deleting = await http().post(url(o, '/resync')).set(o.auth).expect(409);
      expect(deleting.body.error.message).toContain('is being deleted');
    });
  });

  it('documents resync (202) and the verify body in /docs-json', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string; responses: object; requestBody?: object }>>;
      components: { schemas: Record<string, { properties: Record<string, object> }> };
    };
    const path = '/v2/organizations/{orgId}/delegation-credentials/{credentialId}';
    const resync = doc.paths[`${path}/resync`].post;
    expect(resync.operationId).toBe('OrganizationsDelegationCredentialController_resyncDelegationCredential');
    expect(Object.keys(resync.responses)).toEqual(['202']);
    expect(doc.paths[`${path}/verify`].post.requestBody).toBeDefined();
    expect(doc.components.schemas.VerifyDelegationCredentialInput.properties.sampleMembers).toMatchObject({
      minimum: 1,
      maximum: 50,
      type: 'number',
    });
    expect(doc.components.schemas.VerifyDelegationCredentialOutput.properties.sample).toBeDefined();
  });
});
