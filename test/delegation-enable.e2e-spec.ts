import request from 'supertest';
import { LIFECYCLE_QUEUE } from '../src/jobs/jobs.types';
import { ProviderRegistry } from '../src/providers/provider.registry';
import { bearer, uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';
import { jobsWith } from './utils/queue';
import { waitFor } from './utils/worker';

const base = (orgId: number) => `/v2/organizations/${orgId}/delegation-credentials`;
const SCOPE = 'https://www.googleapis.com/auth/calendar';

/** Enable, verify and key rotation through the real Google/Microsoft SDKs against the local fakes. */
describe('Delegation credentials: enable, verify, rotate through the provider check (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  const jobsFor = async (credentialId: string) => {
    await t.intentsDispatched();
    return jobsWith(t.queue(LIFECYCLE_QUEUE), 'credentialId', credentialId);
  };
  const create = (orgId: number, auth: Record<string, string>, body: object) =>
    http().post(base(orgId)).set(auth).send(body);
  /** Creates a (disabled) credential (201) and answers its id. */
  const createdId = async (orgId: number, auth: Record<string, string>, body: object) =>
    (await create(orgId, auth, body).expect(201)).body.data.id as string;

  /** An org whose admin is admin@<domain>, a Google service account, and a created (disabled) credential. */
  async function googleSetup(options: { authorize?: boolean; inDirectory?: boolean } = {}) {
    const domain = `${uniq()}.example`;
    const { org, admin, auth } = await t.fixtures.orgWithAdmin({ domain });
    const key = await t.fake.createGoogleServiceAccount();
    if (options.inDirectory ?? true) t.fake.addGoogleUser(admin.email);
    if (options.authorize ?? true) t.fake.authorizeDomainWideDelegation(domain, key.client_id, [SCOPE]);
    const id = await createdId(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: key,
    });
    return { org, admin, auth, key, domain, id };
  }

  type Setup = { org: { id: number }; id: string; auth: Record<string, string> };
  const url = (s: Setup, path = '') => `${base(s.org.id)}/${s.id}${path}`;
  /** PATCH the credential of `s` with `body`, as its admin unless `auth` says otherwise. */
  const update = (s: Setup, body: object, auth = s.auth) => http().patch(url(s)).set(auth).send(body);
  /** POST …/verify for the credential of `s`, as its admin unless `auth` says otherwise. */
  const verify = (s: Setup, auth = s.auth) => http().post(url(s, '/verify')).set(auth);

  it('enables a Google credential whose client ID is allow-listed: 200, active, one provisioning job', async () => {
    const s = await googleSetup();
    const res = await update(s, { enabled: true }).expect(200);
    expect(res.body.data).toMatchObject({
      enabled: true,
      status: 'active',
      lastEnabledAt: expect.any(String),
      lastVerifiedAt: expect.any(String),
      lastError: null,
    });
    const row = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ enabled: true, generation: 1 });
    expect(res.body.data.updatedAt).toBe(row.updatedAt.toISOString()); // the response is the database, not the request
    const jobs = await jobsFor(s.id);
    expect(jobs.map((j) => [j.name, j.id])).toEqual([['provision-credential', `provision_${s.id}_1`]]);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain('PRIVATE');
    expect(t.fake.tokenMints(s.admin.email)).toBeGreaterThanOrEqual(1);

    // Enabling an enabled credential is a no-op: nothing changes, no second job.
    const again = await update(s, { enabled: true }).expect(200);
    expect(again.body.data).toEqual(res.body.data);
    expect(await jobsFor(s.id)).toHaveLength(1);
  });

  it('refuses to enable when the client ID is not on the DWD allow-list (actionable 400, still disabled), then succeeds once added', async () => {
    const s = await googleSetup({ authorize: false });
    const res = await update(s, { enabled: true }).expect(400);
    expect(res.body.error.code).toBe('ProviderError');
    expect(res.body.error.details).toMatchObject({
      type: 'CLIENT_NOT_AUTHORIZED',
      permanent: true,
      platform: 'google',
    });
    expect(res.body.error.message).toContain(s.key.client_id);
    expect(res.body.error.message).toContain(SCOPE);
    expect(res.body.error.message).toMatch(/Domain-wide delegation/i);
    const row = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ enabled: false, status: 'PENDING', lastEnabledAt: null, generation: 0 });
    expect(await jobsFor(s.id)).toEqual([]);

    t.fake.authorizeDomainWideDelegation(s.domain, s.key.client_id, [SCOPE]);
    await update(s, { enabled: true }).expect(200);
    const audit = await http().get(url(s, '/audit')).set(s.auth).expect(200);
    expect(
      audit.body.data.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`),
    ).toEqual(['ENABLE:SUCCESS', 'ENABLE:FAILURE', 'CREATE:SUCCESS']);
    expect(audit.body.data[1].details.error.type).toBe('CLIENT_NOT_AUTHORIZED');
  });

  it('refuses to enable for an admin who is not in the Workspace directory', async () => {
    const s = await googleSetup({ inDirectory: false });
    const res = await update(s, { enabled: true }).expect(400);
    expect(res.body.error.details.type).toBe('USER_NOT_IN_DIRECTORY');
    expect(res.body.error.message).toContain(s.admin.email);
  });

  it('requires the acting admin’s email domain to be the credential domain (403), for enable and verify', async () => {
    const s = await googleSetup();
    const outsider = await t.fixtures.user(`boss-${uniq()}@elsewhere.example`);
    await t.fixtures.membership(outsider.id, s.org.id, 'OWNER');
    const auth = bearer(await t.fixtures.apiKey(outsider.id));
    const res = await update(s, { enabled: true }, auth).expect(403);
    expect(res.body.error.message).toBe(
      `To enable a delegation credential your email must belong to its domain: ${outsider.email} is not in ${s.domain}`,
    );
    await verify(s, auth).expect(403);
    expect((await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } })).enabled).toBe(
      false,
    );
  });

  it('requires a verified email to enable (403)', async () => {
    const s = await googleSetup();
    await t.prisma.user.update({ where: { id: s.admin.id }, data: { emailVerified: null } });
    const res = await update(s, { enabled: true }).expect(403);
    expect(res.body.error.message).toBe(
      `To enable a delegation credential your email address ${s.admin.email} must be verified`,
    );
    expect((await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } })).enabled).toBe(
      false,
    );
  });

  it('refuses to enable a domain that another organization has enabled (409)', async () => {
    const a = await googleSetup();
    await update(a, { enabled: true }).expect(200);
    const { org, admin, auth } = await t.fixtures.orgWithAdmin({ domain: a.domain });
    t.fake.addGoogleUser(admin.email);
    const body = { workspacePlatformSlug: 'google', domain: a.domain, serviceAccountKey: a.key };
    // Creation is blocked while the other org has it enabled…
    await create(org.id, auth, body).expect(409);
    // …so create while it is disabled, then try to enable after the other org re-enabled.
    await update(a, { enabled: false }).expect(200);
    const created = await create(org.id, auth, body).expect(201);
    await update(a, { enabled: true }).expect(200);
    const res = await update({ org, id: created.body.data.id, auth }, { enabled: true }).expect(409);
    expect(res.body.error.message).toBe(
      `Domain ${a.domain} already has delegation credential enabled in another organization`,
    );
  });

  it('disables: lastDisabledAt set, status disabled, a cleanup job queued; disabling again is a no-op', async () => {
    const s = await googleSetup();
    await update(s, { enabled: true }).expect(200);
    const res = await update(s, { enabled: false }).expect(200);
    expect(res.body.data).toMatchObject({
      enabled: false,
      status: 'disabled',
      lastDisabledAt: expect.any(String),
    });
    const names = (await jobsFor(s.id)).map((j) => j.name).sort();
    expect(names).toEqual(['cleanup-credential', 'provision-credential']);
    const again = await update(s, { enabled: false }).expect(200);
    expect(again.body.data).toEqual(res.body.data);
    expect(await jobsFor(s.id)).toHaveLength(2);
  });

  it('rotates the key of an enabled credential only after the new key passes the check (no outage)', async () => {
    const s = await googleSetup();
    await update(s, { enabled: true }).expect(200);
    const before = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });

    // A key of another, unauthorized service account fails: 400, the old key stays, still enabled.
    const unauthorized = await t.fake.createGoogleServiceAccount();
    const bad = await update(s, { serviceAccountKey: unauthorized }).expect(400);
    expect(bad.body.error.details.type).toBe('CLIENT_NOT_AUTHORIZED');
    const kept = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    expect(kept).toMatchObject({
      enabled: true,
      encryptedKey: before.encryptedKey,
      clientId: s.key.client_id,
    });

    // A new key of the same (authorized) service account passes: replaced, still enabled, no new provisioning.
    const rotated = await t.fake.google.addServiceAccountKey(s.key.client_email);
    const ok = await update(s, { serviceAccountKey: rotated }).expect(200);
    expect(ok.body.data).toMatchObject({ enabled: true, status: 'active' });
    const after = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    expect(after.encryptedKey).not.toBe(before.encryptedKey);
    expect(after.generation).toBe(1);

    // The old key is revoked at Google: verification keeps working with the stored (new) key.
    t.fake.google.deleteServiceAccountKey(s.key.client_email, s.key.private_key_id);
    const verified = await verify(s).expect(200);
    expect(verified.body.data).toMatchObject({ verified: true, subject: s.admin.email });
  });

  it('applies key + enabled in one request atomically: a failing check stores neither', async () => {
    const s = await googleSetup({ authorize: false });
    const before = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    const other = await t.fake.createGoogleServiceAccount();
    await update(s, { enabled: true, serviceAccountKey: other }).expect(400);
    const after = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
    expect(after).toMatchObject({
      enabled: false,
      encryptedKey: before.encryptedKey,
      clientId: before.clientId,
    });

    t.fake.authorizeDomainWideDelegation(s.domain, other.client_id, [SCOPE]);
    const res = await update(s, { enabled: true, serviceAccountKey: other }).expect(200);
    expect(res.body.data).toMatchObject({ enabled: true, clientId: other.client_id });
  });

  it('verify: verified=true with calendars; a revoked DWD answers verified=false with the reason and marks it failing', async () => {
    const s = await googleSetup();
    await update(s, { enabled: true }).expect(200);
    const ok = await verify(s).expect(200);
    expect(ok.body).toEqual({
      status: 'success',
      data: {
        verified: true,
        subject: s.admin.email,
        calendarCount: expect.any(Number),
        checkedAt: expect.any(String),
      },
    });

    t.fake.revokeDomainWideDelegation(s.domain, s.key.client_id);
    t.app.get(ProviderRegistry).evict(s.id); // a cached token would otherwise still work until it expires
    const failed = await verify(s).expect(200);
    expect(failed.body.data).toMatchObject({
      verified: false,
      reason: { type: 'CLIENT_NOT_AUTHORIZED', message: expect.stringContaining(s.key.client_id) },
    });
    const got = await http().get(url(s)).set(s.auth).expect(200);
    expect(got.body.data).toMatchObject({
      enabled: true,
      status: 'failing',
      lastError: { type: 'CLIENT_NOT_AUTHORIZED' },
    });
  });

  describe('concurrent requests (the provider check held open with fake latency)', () => {
    // The check's calendar read is held for seconds; the racing request starts once the sandbox has received it,
    // so the race does not depend on how fast a loaded machine runs (no fixed sleep).
    const slowCheck = () => {
      const seen = t.fake.counters().calls['google.calendarList'] ?? 0;
      t.fake.injectFault({ route: 'google.calendarList', latencyMs: 4000, times: 1 });
      return () =>
        waitFor(
          () => Promise.resolve((t.fake.counters().calls['google.calendarList'] ?? 0) > seen),
          10_000,
          'the provider check in flight',
        );
    };

    it('a verify that races a DELETE answers 409 and does not undo the deletion', async () => {
      const s = await googleSetup();
      await update(s, { enabled: true }).expect(200);
      const inFlight = slowCheck();
      const verifying = verify(s).then((res) => res);
      await inFlight();
      await http().delete(url(s)).set(s.auth).expect(200);
      const res = await verifying;
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('was changed by another request meanwhile');
      const row = await t.prisma.delegationCredential.findUnique({ where: { id: s.id } });
      expect(row === null || row.status === 'DELETING').toBe(true);
    });

    it('a key stored while an enable is checking the old key makes the enable fail (no unchecked key goes live)', async () => {
      const s = await googleSetup();
      const before = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
      // Generated first: RSA key generation on a loaded machine can be slow.
      const unchecked = await t.fake.createGoogleServiceAccount(); // never authorized for DWD
      const inFlight = slowCheck();
      const enabling = update(s, { enabled: true }).then((res) => res);
      await inFlight();
      await update(s, { serviceAccountKey: unchecked }).expect(200);
      const res = await enabling;
      expect(res.status).toBe(409);
      const row = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } });
      expect(row.enabled).toBe(false);
      expect(row.encryptedKey).not.toBe(before.encryptedKey);
    });
  });

  it('answers a provider outage with 502 and changes nothing', async () => {
    const s = await googleSetup();
    t.fake.injectFault({ route: 'google.token', status: 503, times: 10 });
    const res = await update(s, { enabled: true }).expect(502);
    t.fake.clearFaults();
    expect(res.body.error.details).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', permanent: false });
    expect((await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.id } })).enabled).toBe(
      false,
    );
  });

  describe('Microsoft 365', () => {
    async function microsoftSetup(consent: boolean) {
      const domain = `${uniq()}.example`;
      const tenant = t.fake.createMicrosoftTenant({ domain });
      const app = t.fake.createMicrosoftApp({ tenantId: tenant.id, consent });
      const { org, admin, auth } = await t.fixtures.orgWithAdmin({ domain });
      t.fake.addMicrosoftUser(tenant.id, admin.email);
      const body = { workspacePlatformSlug: 'office365', domain, serviceAccountKey: app };
      return { org, admin, auth, app, tenant, id: await createdId(org.id, auth, body) };
    }

    it('enables with admin consent, reading the admin’s mailbox (not just a token)', async () => {
      const s = await microsoftSetup(true);
      await update(s, { enabled: true }).expect(200);
      expect(t.fake.callCount('graph.users')).toBeGreaterThan(0);
    });

    it('refuses without admin consent (400, typed) and with a wrong secret', async () => {
      const s = await microsoftSetup(false);
      const res = await update(s, { enabled: true }).expect(400);
      expect(res.body.error.details.platform).toBe('office365');
      expect(res.body.error.details.type).toBe('CONSENT_MISSING');
      expect(res.body.error.message).toContain(`adminconsent?client_id=${s.app.client_id}`);

      t.fake.grantAdminConsent(s.tenant.id, s.app.client_id);
      const wrong = { ...s.app, private_key: 'not-the-secret' };
      const bad = await update(s, { enabled: true, serviceAccountKey: wrong }).expect(400);
      expect(bad.body.error.details.type).toBe('INVALID_CLIENT_SECRET');
      expect(JSON.stringify(bad.body)).not.toContain('not-the-secret');
      const good = await update(s, { enabled: true });
      expect(good.body.error).toBeUndefined();
      expect(good.body.data).toMatchObject({ enabled: true });
    });
  });
});
