import { Logger } from '@nestjs/common';
import request from 'supertest';
import { MemberEventsService } from '../src/lifecycle/member-events.service';
import { useTestApp } from './utils/app';
import { bearer } from './utils/fixtures';
import { changedJob, syncMemberJobs } from './utils/queue';

const base = (orgId: number) => `/v2/organizations/${orgId}/memberships`;

describe('Org memberships API and member lifecycle jobs (e2e)', () => {
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());
  const syncJobs = (orgId: number) => syncMemberJobs(t, orgId);
  afterEach(() => jest.restoreAllMocks());

  async function setup() {
    const ctx = await t.fixtures.orgWithAdmin();
    const adminMembership = await t.prisma.membership.findUniqueOrThrow({
      where: { userId_teamId: { userId: ctx.admin.id, teamId: ctx.org.id } },
    });
    return { ...ctx, adminMembership };
  }

  const row = (id: number) => t.prisma.membership.findUnique({ where: { id } });

  function expectedOutput(
    m: {
      id: number;
      userId: number;
      teamId: number;
      accepted: boolean;
      role: string;
      disableImpersonation: boolean;
    },
    user: { email: string; name: string | null; username: string | null },
  ) {
    return {
      id: m.id,
      userId: m.userId,
      teamId: m.teamId,
      accepted: m.accepted,
      role: m.role,
      disableImpersonation: m.disableImpersonation,
      user: { email: user.email, username: user.username, name: user.name },
      attributes: [],
    };
  }

  describe('POST (create)', () => {
    it('creates a pending MEMBER by default (201), stores it, and queues one sync-member job', async () => {
      const { org, auth } = await setup();
      const user = await t.fixtures.user();
      const res = await http().post(base(org.id)).set(auth).send({ userId: user.id }).expect(201);
      const stored = await t.prisma.membership.findUniqueOrThrow({
        where: { userId_teamId: { userId: user.id, teamId: org.id } },
      });
      expect(stored).toMatchObject({ role: 'MEMBER', accepted: false, disableImpersonation: false });
      expect(res.body).toEqual({ status: 'success', data: expectedOutput(stored, user) });
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, stored.updatedAt)]);
    });

    it('honours role, accepted and disableImpersonation', async () => {
      const { org, auth } = await setup();
      const user = await t.fixtures.user();
      const res = await http()
        .post(base(org.id))
        .set(auth)
        .send({ userId: user.id, role: 'ADMIN', accepted: true, disableImpersonation: true })
        .expect(201);
      expect(res.body.data).toMatchObject({
        role: 'ADMIN',
        accepted: true,
        disableImpersonation: true,
        teamId: org.id,
      });
      expect(await row(res.body.data.id)).toMatchObject({
        role: 'ADMIN',
        accepted: true,
        disableImpersonation: true,
      });
      expect(await syncJobs(org.id)).toHaveLength(1);
    });

    it('answers 404 for an unknown user and 409 for a duplicate, queueing nothing more', async () => {
      const { org, auth } = await setup();
      const missing = await http().post(base(org.id)).set(auth).send({ userId: 2_000_000_000 }).expect(404);
      expect(missing.body).toMatchObject({
        status: 'error',
        error: { code: 'NotFoundException', message: 'User with id 2000000000 not found' },
      });
      expect(await syncJobs(org.id)).toEqual([]);

      const user = await t.fixtures.user();
      await http().post(base(org.id)).set(auth).send({ userId: user.id }).expect(201);
      const dup = await http()
        .post(base(org.id))
        .set(auth)
        .send({ userId: user.id, role: 'ADMIN' })
        .expect(409);
      expect(dup.body.error).toMatchObject({
        code: 'ConflictException',
        message: `User ${user.id} is already a member of organization ${org.id}`,
      });
      expect(
        await t.prisma.membership.count({ where: { userId: user.id, teamId: org.id, role: 'MEMBER' } }),
      ).toBe(1);
      expect(await syncJobs(org.id)).toHaveLength(1);
    });

    it.each([
      ['no userId', {}, 'userId'],
      ['a string userId', { userId: '5' }, 'userId'],
      ['a fractional userId', { userId: 1.5 }, 'userId'],
      ['an unknown role', { userId: 1, role: 'SUPER' }, 'role'],
      ['a null role', { userId: 1, role: null }, 'role'],
      ['a string accepted', { userId: 1, accepted: 'yes' }, 'accepted'],
      ['an unknown property', { userId: 1, teamId: 5 }, 'teamId'],
    ])('rejects %s with 400 and queues nothing', async (_label, body, field) => {
      const { org, auth } = await setup();
      const res = await http().post(base(org.id)).set(auth).send(body).expect(400);
      expect(res.body.error.code).toBe('BadRequestException');
      expect(res.body.error.details.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await t.prisma.membership.count({ where: { teamId: org.id } })).toBe(1);
      expect(await syncJobs(org.id)).toEqual([]);
    });
  });

  describe('GET (list and one)', () => {
    it('lists the organization memberships in id order with take/skip, never another org', async () => {
      const { org, admin, adminMembership, auth } = await setup();
      const u1 = await t.fixtures.user();
      const u2 = await t.fixtures.user();
      const m1 = await t.fixtures.membership(u1.id, org.id, 'MEMBER', false);
      const m2 = await t.fixtures.membership(u2.id, org.id, 'OWNER', true);
      const other = await setup();
      await t.fixtures.membership(u1.id, other.org.id);

      const all = await http().get(base(org.id)).set(auth).expect(200);
      expect(all.body).toEqual({
        status: 'success',
        data: [expectedOutput(adminMembership, admin), expectedOutput(m1, u1), expectedOutput(m2, u2)],
      });
      const page = await http().get(base(org.id)).query({ take: 1, skip: 1 }).set(auth).expect(200);
      expect(page.body.data.map((m: { id: number }) => m.id)).toEqual([m1.id]);
    });

    it.each([{ take: 0 }, { take: 251 }, { skip: -1 }, { take: 'x' }])(
      'rejects the query %j with 400',
      async (query) => {
        const { org, auth } = await setup();
        await http().get(base(org.id)).query(query).set(auth).expect(400);
      },
    );

    it('gets one membership; another org’s or a missing one is 404, a non-numeric id 400', async () => {
      const { org, admin, adminMembership, auth } = await setup();
      const one = await http()
        .get(`${base(org.id)}/${adminMembership.id}`)
        .set(auth)
        .expect(200);
      expect(one.body).toEqual({ status: 'success', data: expectedOutput(adminMembership, admin) });

      const other = await setup();
      const foreign = await http()
        .get(`${base(org.id)}/${other.adminMembership.id}`)
        .set(auth)
        .expect(404);
      expect(foreign.body.error.message).toBe(
        `Membership with id ${other.adminMembership.id} within organization id ${org.id} not found`,
      );
      const missing = await http()
        .get(`${base(org.id)}/2000000000`)
        .set(auth)
        .expect(404);
      expect(missing.body.error.message).toBe(
        `Membership with id 2000000000 within organization id ${org.id} not found`,
      );
      for (const bad of ['abc', '0', '1.5', '-3', '1e3', '0x10', '99999999999']) {
        const res = await http()
          .get(`${base(org.id)}/${bad}`)
          .set(auth)
          .expect(400);
        expect(res.body.error.message).toBe(`membershipId must be a positive integer, got '${bad}'.`);
      }
    });
  });

  describe('PATCH (update)', () => {
    async function pending() {
      const ctx = await setup();
      const user = await t.fixtures.user();
      const membership = await t.fixtures.membership(user.id, ctx.org.id, 'MEMBER', false);
      return { ...ctx, user, membership, url: `${base(ctx.org.id)}/${membership.id}` };
    }

    it('accepting updates the row and queues one sync-member job at the new updatedAt', async () => {
      const { org, user, membership, url, auth } = await pending();
      const res = await http().patch(url).set(auth).send({ accepted: true }).expect(200);
      const stored = await t.prisma.membership.findUniqueOrThrow({ where: { id: membership.id } });
      expect(stored.accepted).toBe(true);
      expect(stored.updatedAt.getTime()).toBeGreaterThan(membership.updatedAt.getTime());
      expect(res.body).toEqual({ status: 'success', data: expectedOutput(stored, user) });
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, stored.updatedAt)]);
    });

    it('a role change queues a job; disableImpersonation alone and a no-op do not (a no-op writes nothing)', async () => {
      const { org, user, membership, url, auth } = await pending();
      await http().patch(url).set(auth).send({ disableImpersonation: true }).expect(200);
      expect(await row(membership.id)).toMatchObject({ disableImpersonation: true });
      expect(await syncJobs(org.id)).toEqual([]);

      const before = await t.prisma.membership.findUniqueOrThrow({ where: { id: membership.id } });
      const noop = await http().patch(url).set(auth).send({ accepted: false, role: 'MEMBER' }).expect(200);
      expect(noop.body.data).toMatchObject({ accepted: false, role: 'MEMBER', disableImpersonation: true });
      expect((await row(membership.id))?.updatedAt).toEqual(before.updatedAt);
      expect(await syncJobs(org.id)).toEqual([]);

      await http().patch(url).set(auth).send({ role: 'ADMIN' }).expect(200);
      const after = await t.prisma.membership.findUniqueOrThrow({ where: { id: membership.id } });
      expect(after.role).toBe('ADMIN');
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, after.updatedAt)]);
    });

    it('rejects an empty body, bad values and unknown properties with 400, changing nothing', async () => {
      const { org, membership, url, auth } = await pending();
      const empty = await http().patch(url).set(auth).send({}).expect(400);
      expect(empty.body.error.message).toBe(
        'Nothing to update: send accepted, role and/or disableImpersonation',
      );
      await http().patch(url).set(auth).send({ accepted: null }).expect(400);
      await http().patch(url).set(auth).send({ role: 'owner' }).expect(400);
      await http().patch(url).set(auth).send({ userId: 3 }).expect(400);
      await http()
        .patch(`${base(org.id)}/abc`)
        .set(auth)
        .send({ accepted: true })
        .expect(400);
      expect(await row(membership.id)).toEqual(membership);
      expect(await syncJobs(org.id)).toEqual([]);
    });

    it('answers 404 for another org’s membership and leaves it unchanged', async () => {
      const { org, auth } = await setup();
      const other = await pending();
      const res = await http().patch(other.url).set(auth).expect(403); // not a member of the other org at all
      expect(res.body.error.code).toBe('ForbiddenException');
      const cross = await http()
        .patch(`${base(org.id)}/${other.membership.id}`)
        .set(auth)
        .send({ accepted: true })
        .expect(404);
      expect(cross.body.error.message).toBe(
        `Membership with id ${other.membership.id} within organization id ${org.id} not found`,
      );
      expect(await row(other.membership.id)).toMatchObject({ accepted: false });
      expect(await syncJobs(other.org.id)).toEqual([]);
    });
  });

  describe('DELETE', () => {
    it('removes the membership (200, the removed membership) and queues one removal job', async () => {
      const { org, auth } = await setup();
      const user = await t.fixtures.user();
      const membership = await t.fixtures.membership(user.id, org.id, 'MEMBER', true);
      const started = Date.now();
      const res = await http()
        .delete(`${base(org.id)}/${membership.id}`)
        .set(auth)
        .expect(200);
      expect(res.body).toEqual({ status: 'success', data: expectedOutput(membership, user) });
      expect(await row(membership.id)).toBeNull();
      expect(await t.prisma.user.count({ where: { id: user.id } })).toBe(1);
      const jobs = await syncJobs(org.id);
      expect(jobs).toEqual([
        {
          id: `member_${org.id}_${user.id}_${jobs[0]?.data.version}`,
          data: { organizationId: org.id, userId: user.id, version: expect.any(Number) },
        },
      ]);
      expect(jobs[0].data.version).toBeGreaterThanOrEqual(started);
      expect(jobs[0].data.version).toBeLessThanOrEqual(Date.now());

      const again = await http()
        .delete(`${base(org.id)}/${membership.id}`)
        .set(auth)
        .expect(404);
      expect(again.body.error.message).toBe(
        `Membership with id ${membership.id} within organization id ${org.id} not found`,
      );
      expect(await syncJobs(org.id)).toHaveLength(1);
    });

    it('never deletes another org’s membership', async () => {
      const { org, auth } = await setup();
      const other = await setup();
      await http()
        .delete(`${base(org.id)}/${other.adminMembership.id}`)
        .set(auth)
        .expect(404);
      expect(await row(other.adminMembership.id)).not.toBeNull();
      expect(await syncJobs(other.org.id)).toEqual([]);
    });
  });

  describe('organization managers', () => {
    it('refuses to remove, demote or un-accept the last accepted admin/owner (409), allows it once another exists', async () => {
      const { org, adminMembership, auth } = await setup();
      const url = `${base(org.id)}/${adminMembership.id}`;
      const demote = await http().patch(url).set(auth).send({ role: 'MEMBER' }).expect(409);
      expect(demote.body.error.message).toBe(
        `Organization ${org.id} must keep at least one accepted owner or admin: promote or accept another one first.`,
      );
      await http().patch(url).set(auth).send({ accepted: false }).expect(409);
      await http().delete(url).set(auth).expect(409);
      expect(await row(adminMembership.id)).toEqual(adminMembership);

      const pendingAdmin = await t.fixtures.membership((await t.fixtures.user()).id, org.id, 'ADMIN', false);
      await http().delete(url).set(auth).expect(409); // a pending admin does not count
      await http()
        .patch(`${base(org.id)}/${pendingAdmin.id}`)
        .set(auth)
        .send({ accepted: true })
        .expect(200);
      await http().patch(url).set(auth).send({ role: 'MEMBER' }).expect(200);
      expect(await row(adminMembership.id)).toMatchObject({ role: 'MEMBER' });
    });

    it('an organization always keeps an accepted owner: the last one cannot demote, un-accept or remove themself (409)', async () => {
      const { org } = await setup();
      const owner = await t.fixtures.user();
      const ownerMembership = await t.fixtures.membership(owner.id, org.id, 'OWNER', true);
      const ownerAuth = bearer(await t.fixtures.apiKey(owner.id));
      const sysAdminAuth = bearer(await t.fixtures.apiKey((await t.fixtures.user(undefined, 'ADMIN')).id));
      const url = `${base(org.id)}/${ownerMembership.id}`;
      const message = `Organization ${org.id} must keep at least one accepted owner: make another member owner first.`;

      for (const auth of [ownerAuth, sysAdminAuth]) {
        const demote = await http().patch(url).set(auth).send({ role: 'ADMIN' }).expect(409);
        expect(demote.body.error.message).toBe(message);
        await http().patch(url).set(auth).send({ accepted: false }).expect(409);
        const remove = await http().delete(url).set(auth).expect(409);
        expect(remove.body.error.message).toBe(message);
        const removeUser = await http()
          .delete(`/v2/organizations/${org.id}/users/${owner.id}`)
          .set(auth)
          .expect(409);
        expect(removeUser.body.error.message).toBe(message);
      }
      expect(await row(ownerMembership.id)).toEqual(ownerMembership);
      expect(await syncJobs(org.id)).toEqual([]);

      // A pending owner does not count; an accepted second owner does.
      const next = await t.fixtures.user();
      const created = await http()
        .post(base(org.id))
        .set(ownerAuth)
        .send({ userId: next.id, role: 'OWNER', accepted: false })
        .expect(201);
      await http().patch(url).set(ownerAuth).send({ role: 'ADMIN' }).expect(409);
      await http()
        .patch(`${base(org.id)}/${created.body.data.id}`)
        .set(ownerAuth)
        .send({ accepted: true })
        .expect(200);
      await http().patch(url).set(ownerAuth).send({ role: 'ADMIN' }).expect(200);
      expect(await row(ownerMembership.id)).toMatchObject({ role: 'ADMIN', accepted: true });
      // The new owner is now the last one.
      await http()
        .delete(`${base(org.id)}/${created.body.data.id}`)
        .set(sysAdminAuth)
        .expect(409);
    });

    it('only an owner may grant OWNER or change or remove an owner (403 for an admin)', async () => {
      const { org, auth } = await setup();
      const user = await t.fixtures.user();
      const grant = await http()
        .post(base(org.id))
        .set(auth)
        .send({ userId: user.id, role: 'OWNER' })
        .expect(403);
      expect(grant.body.error.message).toBe(
        `Only an owner of organization ${org.id} can grant the OWNER role or change an owner's membership.`,
      );
      const owner = await t.fixtures.user();
      const ownerMembership = await t.fixtures.membership(owner.id, org.id, 'OWNER', true);
      await http()
        .patch(`${base(org.id)}/${ownerMembership.id}`)
        .set(auth)
        .send({ disableImpersonation: true })
        .expect(403);
      await http()
        .delete(`${base(org.id)}/${ownerMembership.id}`)
        .set(auth)
        .expect(403);
      expect(await row(ownerMembership.id)).toEqual(ownerMembership);
      expect(await syncJobs(org.id)).toEqual([]);

      const ownerAuth = bearer(await t.fixtures.apiKey(owner.id));
      await http()
        .post(base(org.id))
        .set(ownerAuth)
        .send({ userId: user.id, role: 'OWNER', accepted: true })
        .expect(201);
    });
  });

  describe('access', () => {
    it('401 without credentials, 403 for an org MEMBER and for another org’s admin', async () => {
      const { org, adminMembership } = await setup();
      const noAuth = await http().get(base(org.id)).expect(401);
      expect(noAuth.body.error.code).toBe('UnauthorizedException');

      const member = await t.fixtures.user();
      await t.fixtures.membership(member.id, org.id, 'MEMBER', true);
      const memberAuth = bearer(await t.fixtures.apiKey(member.id));
      const forbidden = await http().get(base(org.id)).set(memberAuth).expect(403);
      expect(forbidden.body.error.message).toBe(
        `RolesGuard - user with id=${member.id} does not have the minimum required role=ORG_ADMIN within organization with id=${org.id}.`,
      );
      await http()
        .delete(`${base(org.id)}/${adminMembership.id}`)
        .set(memberAuth)
        .expect(403);
      const other = await setup();
      await http().post(base(org.id)).set(other.auth).send({ userId: member.id }).expect(403);
      expect(await row(adminMembership.id)).not.toBeNull();
      expect(await syncJobs(org.id)).toEqual([]);
    });

    it('PBAC: a member whose role grants organization.listMembers can list but not invite', async () => {
      const { org } = await setup();
      await t.prisma.team.update({ where: { id: org.id }, data: { pbacEnabled: true } });
      const role = await t.fixtures.customRole(org.id, ['organization.listMembers']);
      const member = await t.fixtures.user();
      await t.fixtures.membership(member.id, org.id, 'MEMBER', true, role.id);
      const memberAuth = bearer(await t.fixtures.apiKey(member.id));
      await http().get(base(org.id)).set(memberAuth).expect(200);
      await http().post(base(org.id)).set(memberAuth).send({ userId: member.id }).expect(403);
    });
  });

  it('the change and its sync job commit together: when the job cannot be recorded, nothing is saved', async () => {
    const { org, auth } = await setup();
    const user = await t.fixtures.user();
    jest
      .spyOn(t.app.get(MemberEventsService), 'memberChanged')
      .mockRejectedValueOnce(new Error('could not record the intent'));
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await http().post(base(org.id)).set(auth).send({ userId: user.id }).expect(500);
    expect(
      await t.prisma.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: org.id } } }),
    ).toBeNull();
    expect(await syncJobs(org.id)).toEqual([]);
    // Redis plays no part in the answer: the job is an intent in the same transaction (see test/faults-redis).
    await http().post(base(org.id)).set(auth).send({ userId: user.id }).expect(201);
    const stored = await t.prisma.membership.findUniqueOrThrow({
      where: { userId_teamId: { userId: user.id, teamId: org.id } },
    });
    expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, stored.updatedAt)]);
  });
});
