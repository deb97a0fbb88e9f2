import { Logger } from '@nestjs/common';
import request from 'supertest';
import { MemberEventsService } from '../src/lifecycle/member-events.service';
import { useTestApp } from './utils/app';
import { bearer, uniq } from './utils/fixtures';
import { changedJob, syncMemberJobs } from './utils/queue';

const base = (orgId: number) => `/v2/organizations/${orgId}/users`;

describe('Org users API and member lifecycle jobs (e2e)', () => {
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());
  const syncJobs = (orgId: number) => syncMemberJobs(t, orgId);
  afterEach(() => jest.restoreAllMocks());

  const setup = () => t.fixtures.orgWithAdmin();

  async function member(orgId: number, role: 'MEMBER' | 'ADMIN' | 'OWNER' = 'MEMBER', accepted = true) {
    const user = await t.fixtures.user();
    const membership = await t.fixtures.membership(user.id, orgId, role, accepted);
    return { user, membership };
  }

  /** The output of an org user without a username who is an accepted MEMBER of `organizationId`. */
  const memberOutput = (
    user: { id: number; email: string; name: string | null; createdAt: Date },
    organizationId: number,
  ) => ({
    id: user.id,
    email: user.email,
    name: user.name,
    username: null,
    organizationId,
    role: 'MEMBER',
    accepted: true,
    createdAt: user.createdAt.toISOString(),
  });

  describe('POST (create)', () => {
    it('creates the user lowercased/trimmed with an accepted MEMBER membership (201) and queues one job', async () => {
      const { org, auth } = await setup();
      const local = `New.${uniq()}`;
      const res = await http()
        .post(base(org.id))
        .set(auth)
        .send({ email: `  ${local}@Acme.COM ` })
        .expect(201);
      const email = `${local.toLowerCase()}@acme.com`;
      const user = await t.prisma.user.findUniqueOrThrow({
        where: { email },
        include: { memberships: true },
      });
      expect(user.memberships).toEqual([
        expect.objectContaining({ teamId: org.id, role: 'MEMBER', accepted: true }),
      ]);
      expect(res.body).toEqual({
        status: 'success',
        data: {
          id: user.id,
          email,
          name: null,
          username: null,
          organizationId: org.id,
          role: 'MEMBER',
          accepted: true,
          createdAt: user.createdAt.toISOString(),
        },
      });
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, user.memberships[0].updatedAt)]);
    });

    it('honours name, username (lowercased), organizationRole and autoAccept=false', async () => {
      const { org, auth } = await setup();
      const username = `Jane-${uniq()}`;
      const res = await http()
        .post(base(org.id))
        .set(auth)
        .send({
          email: `jane-${uniq()}@acme.com`,
          name: ' Jane Doe ',
          username,
          organizationRole: 'ADMIN',
          autoAccept: false,
        })
        .expect(201);
      expect(res.body.data).toMatchObject({
        name: 'Jane Doe',
        username: username.toLowerCase(),
        role: 'ADMIN',
        accepted: false,
      });
      const stored = await t.prisma.membership.findUniqueOrThrow({
        where: { userId_teamId: { userId: res.body.data.id, teamId: org.id } },
      });
      expect(stored).toMatchObject({ role: 'ADMIN', accepted: false });
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, res.body.data.id, stored.updatedAt)]);
    });

    it('answers 409 for an existing email (any case) or username, creating and queueing nothing', async () => {
      const { org, admin, auth } = await setup();
      const dup = await http()
        .post(base(org.id))
        .set(auth)
        .send({ email: admin.email.toUpperCase() })
        .expect(409);
      expect(dup.body.error).toMatchObject({
        code: 'ConflictException',
        message: `User with email ${admin.email} already exists`,
      });
      const username = `taken-${uniq()}`;
      await t.prisma.user.update({ where: { id: admin.id }, data: { username } });
      const email = `fresh-${uniq()}@acme.com`;
      const taken = await http().post(base(org.id)).set(auth).send({ email, username }).expect(409);
      expect(taken.body.error.message).toBe(`Username ${username} is already taken`);
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
      expect(await syncJobs(org.id)).toEqual([]);
    });

    it.each([
      ['no email', {}, 'email'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['an unknown role', { email: 'a@acme.com', organizationRole: 'ROOT' }, 'organizationRole'],
      ['a null autoAccept', { email: 'a@acme.com', autoAccept: null }, 'autoAccept'],
      ['a bad username', { email: 'a@acme.com', username: 'a b' }, 'username'],
      ['an unknown property', { email: 'a@acme.com', password: 'x' }, 'password'],
    ])('rejects %s with 400 and queues nothing', async (_label, body, field) => {
      const { org, auth } = await setup();
      const res = await http().post(base(org.id)).set(auth).send(body).expect(400);
      expect(res.body.error.details.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await t.prisma.membership.count({ where: { teamId: org.id } })).toBe(1);
      expect(await syncJobs(org.id)).toEqual([]);
    });
  });

  it('GET lists the organization users in user id order with take/skip, never another org’s', async () => {
    const { org, admin, auth } = await setup();
    const pending = await member(org.id, 'MEMBER', false);
    const other = await setup();
    await member(other.org.id);
    const res = await http().get(base(org.id)).set(auth).expect(200);
    const shape = (u: typeof admin, role: string, accepted: boolean) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      username: u.username,
      organizationId: org.id,
      role,
      accepted,
      createdAt: u.createdAt.toISOString(),
    });
    expect(res.body).toEqual({
      status: 'success',
      data: [shape(admin, 'ADMIN', true), shape(pending.user, 'MEMBER', false)],
    });
    const page = await http().get(base(org.id)).query({ take: 1, skip: 1 }).set(auth).expect(200);
    expect(page.body.data.map((u: { id: number }) => u.id)).toEqual([pending.user.id]);
    await http().get(base(org.id)).query({ take: 300 }).set(auth).expect(400);
  });

  describe('PATCH /:userId', () => {
    it('an email change is stored lowercased, unverified, and queues a job for the member', async () => {
      const { org, auth } = await setup();
      const { user } = await member(org.id);
      const email = `moved-${uniq()}@new-domain.com`;
      const res = await http()
        .patch(`${base(org.id)}/${user.id}`)
        .set(auth)
        .send({ email: email.toUpperCase() })
        .expect(200);
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.email).toBe(email);
      expect(stored.emailVerified).toBeNull();
      expect(res.body).toEqual({ status: 'success', data: { ...memberOutput(user, org.id), email } });
      expect(await syncJobs(org.id)).toEqual([changedJob(org.id, user.id, stored.updatedAt)]);
    });

    it('refuses (403) to change the email of a user who also belongs to another organization', async () => {
      const { org, auth } = await setup();
      const { user } = await member(org.id);
      const second = await setup();
      await t.fixtures.membership(user.id, second.org.id, 'MEMBER', false);
      const res = await http()
        .patch(`${base(org.id)}/${user.id}`)
        .set(auth)
        .send({ email: `taken-over-${uniq()}@victim.com` })
        .expect(403);
      expect(res.body.error.message).toContain(
        `User ${user.id} also belongs to other teams or organizations`,
      );
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.email).toBe(user.email);
      expect(await syncJobs(org.id)).toEqual([]);
      expect(await syncJobs(second.org.id)).toEqual([]);
    });

    it('a name/username change or the same email writes without a job; an unchanged body writes nothing', async () => {
      const { org, auth } = await setup();
      const { user } = await member(org.id);
      const url = `${base(org.id)}/${user.id}`;
      const username = `u-${uniq()}`;
      const res = await http().patch(url).set(auth).send({ name: 'Renamed', username }).expect(200);
      expect(res.body.data).toMatchObject({ name: 'Renamed', username, email: user.email });
      const renamed = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(renamed).toMatchObject({ name: 'Renamed', username });
      await http()
        .patch(url)
        .set(auth)
        .send({ email: user.email.toUpperCase(), name: 'Renamed' })
        .expect(200);
      expect((await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).updatedAt).toEqual(
        renamed.updatedAt,
      );
      expect(await syncJobs(org.id)).toEqual([]);
    });

    it('answers 400 / 404 / 409 without changing anything or queueing', async () => {
      const { org, admin, auth } = await setup();
      const { user } = await member(org.id);
      const url = `${base(org.id)}/${user.id}`;
      const empty = await http().patch(url).set(auth).send({}).expect(400);
      expect(empty.body.error.message).toBe('Nothing to update: send email, name and/or username');
      await http().patch(url).set(auth).send({ email: 'nope' }).expect(400);
      await http().patch(url).set(auth).send({ email: null }).expect(400);
      const bad = await http()
        .patch(`${base(org.id)}/abc`)
        .set(auth)
        .send({ name: 'x' })
        .expect(400);
      expect(bad.body.error.message).toBe("userId must be a positive integer, got 'abc'.");

      const outsider = await t.fixtures.user();
      const notMember = await http()
        .patch(`${base(org.id)}/${outsider.id}`)
        .set(auth)
        .send({ name: 'x' })
        .expect(404);
      expect(notMember.body.error.message).toBe(
        `User with id ${outsider.id} within organization id ${org.id} not found`,
      );
      await http()
        .patch(`${base(org.id)}/2000000000`)
        .set(auth)
        .send({ name: 'x' })
        .expect(404);

      const dup = await http().patch(url).set(auth).send({ email: admin.email }).expect(409);
      expect(dup.body.error.message).toBe(`User with email ${admin.email} already exists`);
      expect(await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);
      expect(await t.prisma.user.findUniqueOrThrow({ where: { id: outsider.id } })).toEqual(outsider);
      expect(await syncJobs(org.id)).toEqual([]);
    });

    it('only an owner may edit an owner (403 for an admin)', async () => {
      const { org, auth } = await setup();
      const owner = await member(org.id, 'OWNER');
      const res = await http()
        .patch(`${base(org.id)}/${owner.user.id}`)
        .set(auth)
        .send({ email: `x-${uniq()}@evil.com` })
        .expect(403);
      expect(res.body.error.message).toBe(
        `Only an owner of organization ${org.id} can grant the OWNER role or change an owner's membership.`,
      );
      expect(await t.prisma.user.findUniqueOrThrow({ where: { id: owner.user.id } })).toEqual(owner.user);
      expect(await syncJobs(org.id)).toEqual([]);
    });
  });

  describe('DELETE /:userId', () => {
    it('removes the membership, keeps the user, answers the removed org user and queues one removal job', async () => {
      const { org, auth } = await setup();
      const { user, membership } = await member(org.id);
      const started = Date.now();
      const res = await http()
        .delete(`${base(org.id)}/${user.id}`)
        .set(auth)
        .expect(200);
      expect(res.body).toEqual({ status: 'success', data: memberOutput(user, org.id) });
      expect(await t.prisma.membership.findUnique({ where: { id: membership.id } })).toBeNull();
      expect(await t.prisma.user.findUnique({ where: { id: user.id } })).toEqual(user);
      const jobs = await syncJobs(org.id);
      expect(jobs).toEqual([
        {
          id: `member_${org.id}_${user.id}_${jobs[0]?.data.version}`,
          data: { organizationId: org.id, userId: user.id, version: expect.any(Number) },
        },
      ]);
      expect(jobs[0].data.version).toBeGreaterThanOrEqual(started);

      await http()
        .delete(`${base(org.id)}/${user.id}`)
        .set(auth)
        .expect(404);
      expect(await syncJobs(org.id)).toHaveLength(1);
    });

    it('refuses to remove the last accepted admin (409) and another org’s member (404)', async () => {
      const { org, admin, auth } = await setup();
      const last = await http()
        .delete(`${base(org.id)}/${admin.id}`)
        .set(auth)
        .expect(409);
      expect(last.body.error.code).toBe('ConflictException');
      const other = await setup();
      await http()
        .delete(`${base(org.id)}/${other.admin.id}`)
        .set(auth)
        .expect(404);
      expect(await t.prisma.membership.count({ where: { userId: { in: [admin.id, other.admin.id] } } })).toBe(
        2,
      );
      expect(await syncJobs(org.id)).toEqual([]);
      expect(await syncJobs(other.org.id)).toEqual([]);
    });

    it('the removal and its sync job commit together: when the job cannot be recorded, the member stays', async () => {
      const { org, auth } = await setup();
      const { user, membership } = await member(org.id);
      jest
        .spyOn(t.app.get(MemberEventsService), 'memberRemoved')
        .mockRejectedValueOnce(new Error('could not record the intent'));
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      await http()
        .delete(`${base(org.id)}/${user.id}`)
        .set(auth)
        .expect(500);
      expect(await t.prisma.membership.findUnique({ where: { id: membership.id } })).not.toBeNull();
    });
  });

  it('401 without credentials, 403 for an org MEMBER (nothing created)', async () => {
    const { org } = await setup();
    await http().get(base(org.id)).expect(401);
    const { user } = await member(org.id);
    const memberAuth = bearer(await t.fixtures.apiKey(user.id));
    const email = `blocked-${uniq()}@acme.com`;
    const res = await http().post(base(org.id)).set(memberAuth).send({ email }).expect(403);
    expect(res.body.error.message).toContain('does not have the minimum required role=ORG_ADMIN');
    await http()
      .patch(`${base(org.id)}/${user.id}`)
      .set(memberAuth)
      .send({ name: 'x' })
      .expect(403);
    await http()
      .delete(`${base(org.id)}/${user.id}`)
      .set(memberAuth)
      .expect(403);
    expect(await t.prisma.user.count({ where: { email } })).toBe(0);
    expect(await syncJobs(org.id)).toEqual([]);
  });
});
