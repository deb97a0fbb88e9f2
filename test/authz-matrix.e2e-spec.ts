import { randomUUID } from 'node:crypto';
import request, { type Response } from 'supertest';
import type { PermissionString } from '../src/auth/decorators/auth.decorators';
import { type DelegatedOrg, delegatedOrg } from './utils/delegated-org';
import { bearer, uniq } from './utils/fixtures';
import { googleKeyJson } from './utils/keys';
import { useTestAppWithFakes } from './utils/providers';
import { openApiToNestPath, routeTable } from './utils/route-table';

/**
 * The authorization matrix, generated from the route table (Nest's route metadata, cross-checked with /docs-json):
 * every route × every kind of caller → the declared 401 / 403 / 2xx, and no data of another organization in any
 * body. A route without a declaration here fails the suite. Every route that takes an identifier (in the path,
 * body or query) is also tried with another organization's ids (credentials, memberships, users, webhooks,
 * calendar credentials, events): 404, and the other organization's rows are untouched.
 */

const PRINCIPALS = [
  'no auth',
  'malformed header',
  'unknown key',
  'expired key',
  'key of a deleted user',
  'org member',
  'pending admin',
  'admin of another org',
  'owner',
  'admin',
  'PBAC role with the permission',
  'PBAC role without the permission',
  'platform client of this org',
  'platform client of another org',
  'system admin',
] as const;
type Principal = (typeof PRINCIPALS)[number];

const UNAUTHENTICATED: readonly Principal[] = [
  'no auth',
  'malformed header',
  'unknown key',
  'expired key',
  'key of a deleted user',
];
/** Who passes the organization guard chain of org A (role ADMIN/OWNER, PBAC permission, own OAuth client, sysadmin). */
const ORG_ADMINS: readonly Principal[] = [
  'owner',
  'admin',
  'PBAC role with the permission',
  'platform client of this org',
  'system admin',
];
/** Callers whose user belongs to organization B (the other organization). */
const OF_ORG_B: readonly Principal[] = ['admin of another org', 'platform client of another org'];
/** Callers whose user has no delegated calendar (a pending membership, or no membership at all). */
const NOT_DELEGATED: readonly Principal[] = ['pending admin', 'system admin'];

const ALL_PERMISSIONS: PermissionString[] = [
  'organization.update',
  'organization.listMembers',
  'organization.invite',
  'organization.changeMemberRole',
  'organization.remove',
];

/** A caller as the matrix sees it: the headers it sends, and the user it acts as (if any). */
interface Caller {
  headers: Record<string, string>;
  user?: { id: number; email: string };
  /** The delegation credential of the caller's organization covering its user (delegated callers only). */
  org?: DelegatedOrg;
}

interface Req {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  url: string;
  body?: unknown;
}

type Access = 'public' | 'operator' | 'user' | 'org admin' | 'system admin';

/** Identifiers of organization B's rows (or of rows that exist nowhere), by kind. */
interface ForeignIds {
  dcId: string;
  membershipId: number;
  userId: number;
  webhookId: string;
  manualCredentialId: number;
  delegatedCredentialId: number;
  eventUid: string;
  memberEmail: string;
}

/** What a route is declared to answer, and how to make a request that succeeds for an allowed caller. */
interface Declaration {
  access: Access;
  /** Status of a successful call. */
  ok: number;
  /** A request that succeeds for an allowed caller (fresh rows are made for writes that consume them). */
  request(caller: Caller): Req | Promise<Req>;
  /** For user routes: the status an authenticated caller gets, when it is not `ok` for everyone. */
  userStatus?(principal: Principal): number;
  /**
   * Requests of organization A's caller naming `ids` — organization B's, then ids that exist nowhere: both must
   * answer `foreignStatus` (404 unless declared) with the same error, so another organization's rows cannot even be
   * told apart from missing ones.
   */
  foreign?(ids: ForeignIds): Req[];
  foreignStatus?: number;
  /** Why another organization's id may be told apart from a missing one here (a Cal.com message), if it may. */
  foreignDiffers?: string;
}

const delegatedOnly = (ok: number, otherwise: number) => (p: Principal) =>
  NOT_DELEGATED.includes(p) ? otherwise : ok;

describe('Authorization matrix: every route × every kind of caller (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const callers = new Map<Principal, Caller>();
  /** PBAC callers by the permissions their role grants (with) or lacks (without), per route. */
  let pbacCaller: (permissions: PermissionString[], granted: boolean) => Promise<Caller>;
  let A: DelegatedOrg;
  let B: DelegatedOrg;
  const markersOf: Record<'A' | 'B', string[]> = { A: [], B: [] };
  let bIds: ForeignIds;
  let shared: { webhookId: string; disabledDcId: string; membershipId: number };

  const send = (req: Req, headers: Record<string, string>) => {
    const r = http()[req.method](req.url).set(headers);
    return req.body === undefined ? r : r.send(req.body as object);
  };

  /** A user of org A (email in A's domain, a mailbox at the fake), with a membership and an API key. */
  async function userOfA(role: 'MEMBER' | 'ADMIN' | 'OWNER', accepted = true, customRoleId?: number) {
    const user = await t.fixtures.user(`${role.toLowerCase()}-${uniq()}@${A.domain}`);
    await t.fixtures.membership(user.id, A.org.id, role, accepted, customRoleId);
    t.fake.addGoogleUser(user.email);
    const key = await t.fixtures.apiKey(user.id);
    return { user, headers: bearer(key), key };
  }

  beforeAll(async () => {
    A = await delegatedOrg(t, 'google');
    B = await delegatedOrg(t, 'google');
    await t.prisma.team.update({ where: { id: A.org.id }, data: { pbacEnabled: true } });

    const owner = await userOfA('OWNER');
    const member = await userOfA('MEMBER');
    const pending = await userOfA('ADMIN', false);
    const sysadmin = await t.fixtures.user(`sysadmin-${uniq()}@${A.domain}`, 'ADMIN');
    t.fake.addGoogleUser(sysadmin.email);
    const expired = await t.fixtures.apiKey(A.admin.id, { expiresAt: new Date(Date.now() - 60_000) });
    const doomed = await userOfA('ADMIN');
    await http().get(`/v2/organizations/${A.org.id}/webhooks`).set(doomed.headers).expect(200); // cached now
    await t.prisma.user.delete({ where: { id: doomed.user.id } });
    const clientA = await t.fixtures.oauthClient(A.org.id);
    const clientB = await t.fixtures.oauthClient(B.org.id);
    const oauth = (c: { id: string; secret: string }) => ({
      'x-cal-client-id': c.id,
      'x-cal-secret-key': c.secret,
    });

    const pbacRoles = new Map<string, Caller>();
    pbacCaller = async (permissions, granted) => {
      const grant = granted ? permissions : ALL_PERMISSIONS.filter((p) => !permissions.includes(p));
      const id = `${granted}:${grant.join(',')}`;
      let caller = pbacRoles.get(id);
      if (!caller) {
        const role = await t.fixtures.customRole(A.org.id, grant);
        const u = await userOfA('MEMBER', true, role.id);
        caller = { headers: u.headers, user: u.user, org: A };
        pbacRoles.set(id, caller);
      }
      return caller;
    };

    callers.set('no auth', { headers: {} });
    callers.set('malformed header', { headers: { Authorization: `Token ${A.apiKey}` } });
    callers.set('unknown key', { headers: bearer(`cal_${uniq()}${uniq()}${uniq()}${uniq()}`) });
    callers.set('expired key', { headers: bearer(expired) });
    callers.set('key of a deleted user', { headers: doomed.headers });
    callers.set('org member', { headers: member.headers, user: member.user, org: A });
    callers.set('pending admin', { headers: pending.headers, user: pending.user });
    callers.set('admin of another org', { headers: B.auth, user: B.admin, org: B });
    callers.set('owner', { headers: owner.headers, user: owner.user, org: A });
    callers.set('admin', { headers: A.auth, user: A.admin, org: A });
    callers.set('platform client of this org', { headers: oauth(clientA), user: owner.user, org: A });
    callers.set('platform client of another org', { headers: oauth(clientB), user: B.admin, org: B });
    callers.set('system admin', { headers: bearer(await t.fixtures.apiKey(sysadmin.id)), user: sysadmin });

    // Rows of both organizations, and what identifies each organization's data in a body.
    const webhookOf = async (org: DelegatedOrg) =>
      (
        await http()
          .post(`/v2/organizations/${org.org.id}/webhooks`)
          .set(org.auth)
          .send({
            subscriberUrl: 'https://93.184.215.14/hook',
            active: true,
            triggers: ['DELEGATION_CREDENTIAL_ERROR'],
          })
          .expect(201)
      ).body.data.id as string;
    const bMember = await B.connectedMember();
    const bManual = await http()
      .post('/v2/calendars/apple/credentials')
      .set(bMember.auth)
      .send({ username: `b-${uniq()}@icloud.com`, password: `pw-${uniq()}` })
      .expect(201);
    const bEvent = await http()
      .post('/v2/calendars/google/events')
      .set(bMember.auth)
      .send({ title: 'B only', start: '2031-03-10T09:00:00Z', end: '2031-03-10T09:30:00Z' })
      .expect(201);
    const bMembership = await t.prisma.membership.findFirstOrThrow({
      where: { userId: bMember.user.id, teamId: B.org.id },
    });
    bIds = {
      dcId: B.dcId,
      membershipId: bMembership.id,
      userId: bMember.user.id,
      webhookId: await webhookOf(B),
      manualCredentialId: bManual.body.data.id as number,
      delegatedCredentialId: await B.memberCredentialId(bMember.user.id),
      eventUid: bEvent.body.data.uid as string,
      memberEmail: bMember.user.email,
    };
    const aMembership = await t.prisma.membership.findFirstOrThrow({
      where: { userId: member.user.id, teamId: A.org.id },
    });
    shared = {
      webhookId: await webhookOf(A),
      disabledDcId: await freshCredential(),
      membershipId: aMembership.id,
    };
    markersOf.A = [A.org.slug, A.domain, A.dcId, shared.webhookId, shared.disabledDcId];
    markersOf.B = [B.org.slug, B.domain, B.dcId, bIds.webhookId, bIds.eventUid, bIds.memberEmail];
  });

  const orgBase = () => `/v2/organizations/${A.org.id}`;
  async function freshCredential(): Promise<string> {
    const res = await http()
      .post(`${orgBase()}/delegation-credentials`)
      .set(A.auth)
      .send({
        workspacePlatformSlug: 'google',
        domain: `${uniq()}.example`,
        serviceAccountKey: googleKeyJson(),
      })
      .expect(201);
    return res.body.data.id as string;
  }
  async function freshMembership(): Promise<{ membershipId: number; userId: number }> {
    const user = await t.fixtures.user(`fresh-${uniq()}@${A.domain}`);
    const m = await t.fixtures.membership(user.id, A.org.id, 'MEMBER', true);
    return { membershipId: m.id, userId: user.id };
  }
  async function freshWebhook(): Promise<string> {
    const res = await http()
      .post(`${orgBase()}/webhooks`)
      .set(A.auth)
      .send({
        subscriberUrl: 'https://93.184.215.14/fresh',
        active: true,
        triggers: ['DELEGATION_CREDENTIAL_ERROR'],
      })
      .expect(201);
    return res.body.data.id as string;
  }
  /** A member credential of the caller's delegation (made on the spot by any member request), or 0. */
  async function delegatedCredentialOf(caller: Caller): Promise<number> {
    if (!caller.user || !caller.org) return 0;
    await http().get('/v2/conferencing').set(caller.headers);
    const row = await t.prisma.credential.findFirst({
      where: { userId: caller.user.id, delegationCredentialId: caller.org.dcId },
    });
    return row?.id ?? 0;
  }
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  const dc = (id: string, suffix = '') => `${orgBase()}/delegation-credentials/${id}${suffix}`;
  const dcForeign =
    (method: Req['method'], suffix = '', body?: unknown) =>
    (ids: ForeignIds): Req[] => [{ method, url: dc(ids.dcId, suffix), body }];

  /** Every route the app serves, declared. Keys are Nest route keys (`METHOD /path/:param`). */
  const ROUTES: Record<string, Declaration> = {
    'GET /health': { access: 'public', ok: 200, request: () => ({ method: 'get', url: '/health' }) },
    'GET /health/ready': {
      access: 'public',
      ok: 200,
      request: () => ({ method: 'get', url: '/health/ready' }),
    },
    // Operator endpoint: open unless METRICS_TOKEN is set (as in the tests); its series carry credential ids by
    // design (README "Metrics"), so the other-organization check does not apply to it.
    'GET /metrics': { access: 'operator', ok: 200, request: () => ({ method: 'get', url: '/metrics' }) },

    // Delegation credentials: ORG_ADMIN or organization.update.
    'POST /v2/organizations/:orgId/delegation-credentials': {
      access: 'org admin',
      ok: 201,
      request: () => ({
        method: 'post',
        url: `${orgBase()}/delegation-credentials`,
        body: {
          workspacePlatformSlug: 'google',
          domain: `${uniq()}.example`,
          serviceAccountKey: googleKeyJson(),
        },
      }),
    },
    'GET /v2/organizations/:orgId/delegation-credentials': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/delegation-credentials` }),
    },
    'GET /v2/organizations/:orgId/delegation-credentials/:credentialId': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: dc(A.dcId) }),
      foreign: dcForeign('get'),
    },
    'PATCH /v2/organizations/:orgId/delegation-credentials/:credentialId': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'patch', url: dc(shared.disabledDcId), body: { enabled: false } }),
      foreign: dcForeign('patch', '', { enabled: false }),
    },
    'DELETE /v2/organizations/:orgId/delegation-credentials/:credentialId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({ method: 'delete', url: dc(await freshCredential()) }),
      foreign: dcForeign('delete'),
    },
    'POST /v2/organizations/:orgId/delegation-credentials/:credentialId/verify': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'post', url: dc(A.dcId, '/verify') }),
      foreign: dcForeign('post', '/verify'),
    },
    'POST /v2/organizations/:orgId/delegation-credentials/:credentialId/resync': {
      access: 'org admin',
      ok: 202,
      request: () => ({ method: 'post', url: dc(A.dcId, '/resync') }),
      foreign: dcForeign('post', '/resync'),
    },
    'GET /v2/organizations/:orgId/delegation-credentials/:credentialId/members': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: dc(A.dcId, '/members') }),
      foreign: dcForeign('get', '/members'),
    },
    'GET /v2/organizations/:orgId/delegation-credentials/:credentialId/audit': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: dc(A.dcId, '/audit') }),
      foreign: dcForeign('get', '/audit'),
    },

    // Memberships and users: ORG_ADMIN or organization.listMembers / invite / changeMemberRole / remove.
    'GET /v2/organizations/:orgId/memberships': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/memberships` }),
    },
    'POST /v2/organizations/:orgId/memberships': {
      access: 'org admin',
      ok: 201,
      request: async () => ({
        method: 'post',
        url: `${orgBase()}/memberships`,
        body: {
          userId: (await t.fixtures.user(`new-${uniq()}@${A.domain}`)).id,
          role: 'MEMBER',
          accepted: true,
        },
      }),
    },
    'GET /v2/organizations/:orgId/memberships/:membershipId': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/memberships/${shared.membershipId}` }),
      foreign: (ids) => [{ method: 'get', url: `${orgBase()}/memberships/${ids.membershipId}` }],
    },
    'PATCH /v2/organizations/:orgId/memberships/:membershipId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({
        method: 'patch',
        url: `${orgBase()}/memberships/${(await freshMembership()).membershipId}`,
        body: { disableImpersonation: true },
      }),
      foreign: (ids) => [
        { method: 'patch', url: `${orgBase()}/memberships/${ids.membershipId}`, body: { accepted: false } },
      ],
    },
    'DELETE /v2/organizations/:orgId/memberships/:membershipId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({
        method: 'delete',
        url: `${orgBase()}/memberships/${(await freshMembership()).membershipId}`,
      }),
      foreign: (ids) => [{ method: 'delete', url: `${orgBase()}/memberships/${ids.membershipId}` }],
    },
    'GET /v2/organizations/:orgId/users': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/users` }),
    },
    'POST /v2/organizations/:orgId/users': {
      access: 'org admin',
      ok: 201,
      request: () => ({
        method: 'post',
        url: `${orgBase()}/users`,
        body: { email: `created-${uniq()}@${A.domain}` },
      }),
    },
    'PATCH /v2/organizations/:orgId/users/:userId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({
        method: 'patch',
        url: `${orgBase()}/users/${(await freshMembership()).userId}`,
        body: { name: 'Renamed' },
      }),
      foreign: (ids) => [
        { method: 'patch', url: `${orgBase()}/users/${ids.userId}`, body: { name: 'Taken over' } },
      ],
    },
    'DELETE /v2/organizations/:orgId/users/:userId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({
        method: 'delete',
        url: `${orgBase()}/users/${(await freshMembership()).userId}`,
      }),
      foreign: (ids) => [{ method: 'delete', url: `${orgBase()}/users/${ids.userId}` }],
    },

    // Webhooks: ORG_ADMIN or organization.update.
    'GET /v2/organizations/:orgId/webhooks': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/webhooks` }),
    },
    'POST /v2/organizations/:orgId/webhooks': {
      access: 'org admin',
      ok: 201,
      request: () => ({
        method: 'post',
        url: `${orgBase()}/webhooks`,
        body: {
          subscriberUrl: 'https://93.184.215.14/x',
          active: true,
          triggers: ['DELEGATION_CREDENTIAL_ERROR'],
        },
      }),
    },
    'GET /v2/organizations/:orgId/webhooks/:webhookId': {
      access: 'org admin',
      ok: 200,
      request: () => ({ method: 'get', url: `${orgBase()}/webhooks/${shared.webhookId}` }),
      foreign: (ids) => [{ method: 'get', url: `${orgBase()}/webhooks/${ids.webhookId}` }],
    },
    'PATCH /v2/organizations/:orgId/webhooks/:webhookId': {
      access: 'org admin',
      ok: 200,
      request: () => ({
        method: 'patch',
        url: `${orgBase()}/webhooks/${shared.webhookId}`,
        body: { active: true },
      }),
      foreign: (ids) => [
        { method: 'patch', url: `${orgBase()}/webhooks/${ids.webhookId}`, body: { active: false } },
      ],
    },
    'DELETE /v2/organizations/:orgId/webhooks/:webhookId': {
      access: 'org admin',
      ok: 200,
      request: async () => ({ method: 'delete', url: `${orgBase()}/webhooks/${await freshWebhook()}` }),
      foreign: (ids) => [{ method: 'delete', url: `${orgBase()}/webhooks/${ids.webhookId}` }],
    },

    // What members see: any authenticated caller, on its own data.
    'GET /v2/calendars': {
      access: 'user',
      ok: 200,
      request: () => ({ method: 'get', url: '/v2/calendars' }),
    },
    // Cal.com answers calendars a caller cannot read with 401 "These credentials do not belong to you"
    // (shared/notes/calcom-api-conventions.md), for another organization's ids exactly as for missing ones.
    'GET /v2/calendars/busy-times': {
      access: 'user',
      ok: 200,
      userStatus: delegatedOnly(200, 401),
      foreignStatus: 401,
      request: (caller) => ({
        method: 'get',
        url:
          `/v2/calendars/busy-times?timeZone=UTC&dateFrom=${tomorrow()}&dateTo=${tomorrow()}` +
          `&calendarsToLoad[0][delegationCredentialId]=${caller.org?.dcId ?? A.dcId}` +
          `&calendarsToLoad[0][externalId]=${encodeURIComponent(caller.user?.email ?? 'x@example.com')}`,
      }),
      foreign: (ids) => [
        {
          method: 'get',
          url:
            `/v2/calendars/busy-times?dateFrom=${tomorrow()}&dateTo=${tomorrow()}` +
            `&calendarsToLoad[0][delegationCredentialId]=${ids.dcId}&calendarsToLoad[0][externalId]=${encodeURIComponent(ids.memberEmail)}`,
        },
        {
          method: 'get',
          url:
            `/v2/calendars/busy-times?dateFrom=${tomorrow()}&dateTo=${tomorrow()}` +
            `&calendarsToLoad[0][credentialId]=${ids.delegatedCredentialId}&calendarsToLoad[0][externalId]=${encodeURIComponent(ids.memberEmail)}`,
        },
      ],
    },
    'POST /v2/calendars/:calendar/credentials': {
      access: 'user',
      ok: 201,
      request: () => ({
        method: 'post',
        url: '/v2/calendars/apple/credentials',
        body: { username: `m-${uniq()}@icloud.com`, password: `pw-${uniq()}` },
      }),
    },
    'GET /v2/calendars/:calendar/check': {
      access: 'user',
      ok: 200,
      request: () => ({ method: 'get', url: '/v2/calendars/apple/check' }),
    },
    'POST /v2/calendars/:calendar/disconnect': {
      access: 'user',
      ok: 200,
      request: async (caller) => {
        const made = await http()
          .post('/v2/calendars/apple/credentials')
          .set(caller.headers)
          .send({ username: `d-${uniq()}@icloud.com`, password: `pw-${uniq()}` });
        return {
          method: 'post',
          url: '/v2/calendars/apple/disconnect',
          body: { id: made.body?.data?.id ?? 1 },
        };
      },
      foreign: (ids) => [
        { method: 'post', url: '/v2/calendars/apple/disconnect', body: { id: ids.manualCredentialId } },
        { method: 'post', url: '/v2/calendars/google/disconnect', body: { id: ids.delegatedCredentialId } },
      ],
    },
    'POST /v2/calendars/:calendar/events': {
      access: 'user',
      ok: 201,
      userStatus: delegatedOnly(201, 400), // No delegated google_calendar connection
      request: () => ({
        method: 'post',
        url: '/v2/calendars/google/events',
        body: { title: 'Matrix', start: '2031-04-01T09:00:00Z', end: '2031-04-01T09:30:00Z' },
      }),
    },
    'GET /v2/calendars/:calendar/events/:eventUid': {
      access: 'user',
      ok: 200,
      userStatus: delegatedOnly(200, 404),
      request: async (caller) => ({
        method: 'get',
        url: `/v2/calendars/google/events/${await ownEvent(caller)}`,
      }),
      foreign: (ids) => [{ method: 'get', url: `/v2/calendars/google/events/${ids.eventUid}` }],
    },
    'PATCH /v2/calendars/:calendar/events/:eventUid': {
      access: 'user',
      ok: 200,
      userStatus: delegatedOnly(200, 404),
      request: async (caller) => ({
        method: 'patch',
        url: `/v2/calendars/google/events/${await ownEvent(caller)}`,
        body: { title: 'Renamed' },
      }),
      foreign: (ids) => [
        { method: 'patch', url: `/v2/calendars/google/events/${ids.eventUid}`, body: { title: 'Hijacked' } },
      ],
    },
    'DELETE /v2/calendars/:calendar/events/:eventUid': {
      access: 'user',
      ok: 200,
      userStatus: delegatedOnly(200, 404),
      request: async (caller) => ({
        method: 'delete',
        url: `/v2/calendars/google/events/${await ownEvent(caller)}`,
      }),
      foreign: (ids) => [{ method: 'delete', url: `/v2/calendars/google/events/${ids.eventUid}` }],
    },
    'POST /v2/selected-calendars': {
      access: 'user',
      foreignDiffers:
        "Cal.com's 404 for a delegation credential of an organization the caller is not in names that organization " +
        '(calcom-api-conventions.md: "Membership for user with id <u> within organization id <o> not found")',
      ok: 201,
      userStatus: delegatedOnly(201, 404),
      request: async (caller) => ({
        method: 'post',
        url: '/v2/selected-calendars',
        body: {
          integration: 'google_calendar',
          externalId: caller.user?.email ?? 'x@example.com',
          credentialId: await delegatedCredentialOf(caller),
          delegationCredentialId: caller.org?.dcId ?? A.dcId,
        },
      }),
      foreign: (ids) => [
        {
          method: 'post',
          url: '/v2/selected-calendars',
          body: {
            integration: 'google_calendar',
            externalId: ids.memberEmail,
            credentialId: ids.delegatedCredentialId,
            delegationCredentialId: ids.dcId,
          },
        },
        {
          method: 'post',
          url: '/v2/selected-calendars',
          body: { integration: 'apple_calendar', externalId: 'x', credentialId: ids.manualCredentialId },
        },
      ],
    },
    'DELETE /v2/selected-calendars': {
      access: 'user',
      foreignDiffers:
        "Cal.com's 404 for a delegation credential of an organization the caller is not in names that organization " +
        '(calcom-api-conventions.md: "Membership for user with id <u> within organization id <o> not found")',
      ok: 200,
      userStatus: delegatedOnly(200, 404),
      request: async (caller) => {
        const credentialId = await delegatedCredentialOf(caller);
        const externalId = caller.user?.email ?? 'x@example.com';
        await http().post('/v2/selected-calendars').set(caller.headers).send({
          integration: 'google_calendar',
          externalId,
          credentialId,
          delegationCredentialId: caller.org?.dcId,
        });
        return {
          method: 'delete',
          url: `/v2/selected-calendars?integration=google_calendar&externalId=${encodeURIComponent(externalId)}&credentialId=${credentialId}`,
        };
      },
      foreign: (ids) => [
        {
          method: 'delete',
          url: `/v2/selected-calendars?integration=google_calendar&externalId=${encodeURIComponent(ids.memberEmail)}&credentialId=${ids.delegatedCredentialId}`,
        },
      ],
    },
    'PUT /v2/destination-calendars': {
      access: 'user',
      ok: 200,
      userStatus: delegatedOnly(200, 404),
      request: (caller) => ({
        method: 'put',
        url: '/v2/destination-calendars',
        body: {
          integration: 'google_calendar',
          externalId: caller.user?.email ?? 'x@example.com',
          delegationCredentialId: caller.org?.dcId ?? A.dcId,
        },
      }),
      foreign: (ids) => [
        {
          method: 'put',
          url: '/v2/destination-calendars',
          body: {
            integration: 'google_calendar',
            externalId: ids.memberEmail,
            delegationCredentialId: ids.dcId,
          },
        },
      ],
    },
    'GET /v2/conferencing': {
      access: 'user',
      ok: 200,
      request: () => ({ method: 'get', url: '/v2/conferencing' }),
    },
    'GET /v2/conferencing/default': {
      access: 'user',
      ok: 200,
      request: () => ({ method: 'get', url: '/v2/conferencing/default' }),
    },
  };

  /** Routes mounted as middleware rather than controllers (not in Nest's route metadata), declared here too. */
  const MOUNTED: Record<string, Declaration> = {
    'GET /admin/queues': {
      access: 'system admin',
      ok: 200,
      request: () => ({ method: 'get', url: '/admin/queues' }),
    },
  };

  async function ownEvent(caller: Caller): Promise<string> {
    const made = await http()
      .post('/v2/calendars/google/events')
      .set(caller.headers)
      .send({ title: 'Own', start: '2031-05-01T09:00:00Z', end: '2031-05-01T09:30:00Z' });
    return (made.body?.data?.uid as string | undefined) ?? 'no-event';
  }

  function expectedStatus(route: Declaration, principal: Principal): number {
    if (route.access === 'public' || route.access === 'operator') return route.ok;
    if (UNAUTHENTICATED.includes(principal)) return 401;
    if (route.access === 'user') return route.userStatus?.(principal) ?? route.ok;
    if (route.access === 'system admin') return principal === 'system admin' ? route.ok : 403;
    return ORG_ADMINS.includes(principal) ? route.ok : 403;
  }

  it('declares every route the app serves, and every documented operation is one of them', async () => {
    const served = routeTable(t.app).map((r) => r.key);
    expect({ undeclared: served.filter((k) => !ROUTES[k]) }).toEqual({ undeclared: [] });
    expect({ stale: Object.keys(ROUTES).filter((k) => !served.includes(k)) }).toEqual({ stale: [] });
    const doc = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${openApiToNestPath(path)}`),
    );
    expect({ undocumentedInTable: documented.filter((k) => !served.includes(k)) }).toEqual({
      undocumentedInTable: [],
    });
  });

  it('answers every route × caller as declared, with no data of another organization in any body', async () => {
    const table = routeTable(t.app);
    const mismatches: string[] = [];
    let cases = 0;
    for (const [key, route] of [...Object.entries(ROUTES), ...Object.entries(MOUNTED)]) {
      const permissions = table.find((r) => r.key === key)?.permissions ?? [];
      for (const principal of PRINCIPALS) {
        let caller = callers.get(principal)!;
        if (principal === 'PBAC role with the permission') caller = await pbacCaller(permissions, true);
        if (principal === 'PBAC role without the permission') caller = await pbacCaller(permissions, false);
        const req = await route.request(caller);
        const res = await send(req, caller.headers);
        cases++;
        const want = expectedStatus(route, principal);
        if (res.status !== want)
          mismatches.push(
            `${key} × ${principal}: ${res.status} (declared ${want}) ${res.text.slice(0, 200)}`,
          );
        const foreign = OF_ORG_B.includes(principal) && route.access === 'user' ? markersOf.A : markersOf.B;
        const sent = JSON.stringify(req);
        const leaked =
          route.access === 'operator' ? [] : foreign.filter((m) => res.text.includes(m) && !sent.includes(m));
        if (leaked.length)
          mismatches.push(`${key} × ${principal}: body holds the other org's ${leaked.join(', ')}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(cases).toBe((Object.keys(ROUTES).length + Object.keys(MOUNTED).length) * PRINCIPALS.length);
  });

  it("answers another organization's identifiers exactly like missing ones (404), and leaves its rows as they were", async () => {
    const snapshot = async () => ({
      dc: await t.prisma.delegationCredential.findUnique({ where: { id: B.dcId } }),
      membership: await t.prisma.membership.findUnique({ where: { id: bIds.membershipId } }),
      user: await t.prisma.user.findUnique({ where: { id: bIds.userId } }),
      webhook: await t.prisma.webhook.findUnique({ where: { id: bIds.webhookId } }),
      manual: await t.prisma.credential.findUnique({ where: { id: bIds.manualCredentialId } }),
      delegated: await t.prisma.credential.findUnique({ where: { id: bIds.delegatedCredentialId } }),
      event: await t.prisma.calendarEventReference.findUnique({ where: { uid: bIds.eventUid } }),
    });
    const before = await snapshot();
    const aMember = await A.connectedMember();
    const mismatches: string[] = [];
    const identifierRoutes = routeTable(t.app).filter((r) => /:(?!orgId|calendar)\w+/.test(r.path));
    const undeclared = identifierRoutes.filter((r) => !ROUTES[r.key]?.foreign).map((r) => r.key);
    expect({ identifierRoutesWithoutForeignIds: undeclared }).toEqual({
      identifierRoutesWithoutForeignIds: [],
    });
    const missing: ForeignIds = {
      dcId: randomUUID(),
      membershipId: 2_147_480_001,
      userId: 2_147_480_002,
      webhookId: randomUUID(),
      manualCredentialId: 2_147_480_003,
      delegatedCredentialId: 2_147_480_004,
      eventUid: randomUUID(),
      memberEmail: `nobody-${uniq()}@nowhere.example`,
    };
    /** The requests of `route` for `ids`, and the ids it used (read through a proxy). */
    const foreignRequests = (route: Declaration, ids: ForeignIds) => {
      const used = new Set<string>();
      const proxy = new Proxy(ids, {
        get: (target, key: string) => {
          used.add(String(target[key as keyof ForeignIds]));
          return target[key as keyof ForeignIds];
        },
      });
      return { reqs: route.foreign!(proxy), used: [...used] };
    };
    /** The answer with the ids the requests used written as <id>, to compare B's answer with the missing one's. */
    const normalized = (res: Response, used: string[]) => {
      let text = JSON.stringify({ status: res.status, error: (res.body as { error?: unknown }).error });
      for (const value of used) {
        const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        text = text.replace(new RegExp(`(?<![\\w.@-])${escaped}(?![\\w@-])`, 'g'), '<id>');
      }
      return text;
    };
    for (const [key, route] of Object.entries(ROUTES)) {
      if (!route.foreign) continue;
      const headers = route.access === 'user' ? aMember.auth : A.auth;
      const want = route.foreignStatus ?? 404;
      const theirs = foreignRequests(route, bIds);
      const nobodys = foreignRequests(route, missing);
      for (const [i, req] of theirs.reqs.entries()) {
        const res = await send(req, headers);
        const where = `${key} ${req.method} ${req.url}`;
        if (res.status !== want)
          mismatches.push(`${where}: ${res.status} (declared ${want}) ${res.text.slice(0, 200)}`);
        const asMissing = await send(nobodys.reqs[i], headers);
        const [ours, nobody] = [normalized(res, theirs.used), normalized(asMissing, nobodys.used)];
        if (ours !== nobody && !route.foreignDiffers)
          mismatches.push(`${where}: answers unlike a missing id: ${ours} vs ${nobody}`);
        const sent = JSON.stringify(req);
        const leaked = markersOf.B.filter((marker) => res.text.includes(marker) && !sent.includes(marker));
        if (leaked.length) mismatches.push(`${where}: body holds the other org's ${leaked.join(', ')}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every malformed Authorization header with a 401 in the envelope', async () => {
    const headers = [
      'Bearer',
      'Bearer ',
      `Bearer ${A.apiKey} extra`,
      `bearer${A.apiKey}`,
      `Basic ${Buffer.from(`x:${A.apiKey}`).toString('base64')}`,
      A.apiKey,
      `Bearer ${A.apiKey.slice('cal_'.length)}`,
      `Bearer cal_`,
      `Bearer ${A.apiKey}x`,
    ];
    for (const value of headers) {
      for (const url of [`${orgBase()}/webhooks`, '/v2/calendars']) {
        const res = await http().get(url).set('Authorization', value);
        expect({ value, url, status: res.status, body: res.body as unknown }).toEqual({
          value,
          url,
          status: 401,
          body: expect.objectContaining({ status: 'error' }),
        });
      }
    }
  });
});
