import type { JobType } from 'bullmq';
import request from 'supertest';
import { LIFECYCLE_QUEUE } from '../src/jobs/jobs.types';
import { useTestApp } from './utils/app';
import { bearer, uniq } from './utils/fixtures';
import { googleKeyJson, microsoftKey } from './utils/keys';
import { jobsWith } from './utils/queue';

const base = (orgId: number) => `/v2/organizations/${orgId}/delegation-credentials`;

describe('Delegation credentials API: create, read, validation, conflicts, encryption (e2e)', () => {
  const t = useTestApp({ seedPlatforms: true });
  const http = () => request(t.app.getHttpServer());

  async function setup(domain = `${uniq()}.example`) {
    return { ...(await t.fixtures.orgWithAdmin({ domain })), domain };
  }

  const create = (orgId: number, auth: Record<string, string>, body: object) =>
    http().post(base(orgId)).set(auth).send(body);
  /** Creates a Google credential for `domain` with a fresh key. */
  const createGoogle = (orgId: number, auth: Record<string, string>, domain: string) =>
    create(orgId, auth, { workspacePlatformSlug: 'google', domain, serviceAccountKey: googleKeyJson() });
  const update = (orgId: number, auth: Record<string, string>, id: string, body: object) =>
    http()
      .patch(`${base(orgId)}/${id}`)
      .set(auth)
      .send(body);

  it('creates a Google credential disabled (pending), accepting a whole downloaded JSON key, and never returns the key', async () => {
    const { org, auth, domain } = await setup();
    const key = googleKeyJson();
    const res = await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain: `  @${domain.toUpperCase()} `,
      serviceAccountKey: key,
    }).expect(201);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        enabled: false,
        domain,
        organizationId: org.id,
        workspacePlatform: { name: 'Google Workspace', slug: 'google' },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        status: 'pending',
        clientId: key.client_id,
        scopes: ['https://www.googleapis.com/auth/calendar'],
        lastEnabledAt: null,
        lastDisabledAt: null,
        lastVerifiedAt: null,
        lastError: null,
      },
    });
    const raw = JSON.stringify(res.body);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(key.client_email);

    // Encrypted at rest: the stored column holds none of the key's parts.
    const rows = await t.prisma.$queryRaw<{ encryptedKey: string; keyVersion: number }[]>`
      SELECT "encryptedKey", "keyVersion" FROM "DelegationCredential" WHERE id = ${res.body.data.id}::uuid`;
    expect(rows[0].keyVersion).toBe(1);
    for (const part of [key.private_key.slice(40, 80), key.client_email, 'private_key', 'BEGIN']) {
      expect(rows[0].encryptedKey).not.toContain(part);
    }
    // Create never queues provisioning.
    const states: JobType[] = ['waiting', 'delayed', 'active', 'completed'];
    await t.intentsDispatched();
    expect(await jobsWith(t.queue(LIFECYCLE_QUEUE), 'credentialId', res.body.data.id, states)).toEqual([]);
  });

  it('accepts the single-element array form of the published spec, and a Microsoft key for office365', async () => {
    const { org, auth, domain } = await setup();
    await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: [googleKeyJson()],
    }).expect(201);
    const other = await setup();
    const ms = microsoftKey();
    const res = await create(other.org.id, other.auth, {
      workspacePlatformSlug: 'office365',
      domain: other.domain,
      serviceAccountKey: ms,
    }).expect(201);
    expect(res.body.data).toMatchObject({
      workspacePlatform: { slug: 'office365', name: 'Microsoft 365' },
      clientId: ms.client_id,
      scopes: ['Calendars.ReadWrite', 'User.Read.All'],
    });
    expect(JSON.stringify(res.body)).not.toContain(ms.private_key);
  });

  it.each([
    ['Microsoft key under google', 'google', () => microsoftKey(), /must be a Google service account key/],
    [
      'Google key under office365',
      'office365',
      () => googleKeyJson(),
      /must be a Microsoft Entra application key/,
    ],
  ])('rejects a %s with 400', async (_label, slug, key, message) => {
    const { org, auth, domain } = await setup();
    const res = await create(org.id, auth, {
      workspacePlatformSlug: slug,
      domain,
      serviceAccountKey: key(),
    }).expect(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('rejects a Google private_key that is not a PEM private key, without echoing it', async () => {
    const { org, auth, domain } = await setup();
    const res = await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: googleKeyJson({ private_key: 'super-secret-not-a-pem' }),
    }).expect(400);
    expect(res.body.error.message).toContain(
      'serviceAccountKey.private_key must be a PEM-encoded private key',
    );
    expect(JSON.stringify(res.body)).not.toContain('super-secret-not-a-pem');
  });

  it('rejects keys of neither shape, missing fields, and arrays of two', async () => {
    const { org, auth, domain } = await setup();
    const shape = await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: { foo: 'bar' },
    }).expect(400);
    expect(shape.body.error.message).toContain(
      'Service account key must be either a Google service account key',
    );
    expect(shape.body.error.details.errors).toEqual([
      { field: 'serviceAccountKey', messages: [expect.any(String)] },
    ]);
    const missing = await create(org.id, auth, {
      workspacePlatformSlug: 'office365',
      domain,
      serviceAccountKey: { tenant_id: 't', private_key: 'p' },
    }).expect(400);
    expect(missing.body.error.message).toContain('serviceAccountKey.client_id must be a non-empty string');
    expect(JSON.stringify(missing.body)).not.toContain('"p"');
    await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: [googleKeyJson(), googleKeyJson()],
    }).expect(400);
  });

  it.each([
    'acme',
    'acme..com',
    '-acme.com',
    'acme-.com',
    'ac me.com',
    'a'.repeat(64) + '.com',
    `${'a.'.repeat(127)}com`,
    '1.2.3.4',
    '',
  ])('rejects the invalid domain %j with 400', async (domain) => {
    const { org, auth } = await setup();
    const res = await createGoogle(org.id, auth, domain).expect(400);
    expect(res.body.error.message).toContain('domain must be a valid domain name');
  });

  it('rejects unknown properties and missing fields', async () => {
    const { org, auth, domain } = await setup();
    const res = await create(org.id, auth, {
      workspacePlatformSlug: 'google',
      domain,
      serviceAccountKey: googleKeyJson(),
      enabled: true,
    }).expect(400);
    expect(res.body.error.message).toContain('property enabled should not exist');
    const empty = await create(org.id, auth, {}).expect(400);
    const fields = empty.body.error.details.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['workspacePlatformSlug', 'domain', 'serviceAccountKey']));
  });

  it('answers 404 for an unknown platform and 400 for a disabled one', async () => {
    const { org, auth, domain } = await setup();
    const res = await create(org.id, auth, {
      workspacePlatformSlug: 'zoho',
      domain,
      serviceAccountKey: googleKeyJson(),
    }).expect(404);
    expect(res.body.error.message).toBe('Workspace platform zoho not found');
    const slug = `off${uniq()}`;
    await t.prisma.workspacePlatform.create({ data: { slug, name: 'Off', enabled: false } });
    const off = await create(org.id, auth, {
      workspacePlatformSlug: slug,
      domain,
      serviceAccountKey: googleKeyJson(),
    }).expect(400);
    expect(off.body.error.message).toBe(`Workspace platform ${slug} is not enabled`);
  });

  it('answers 409 for the same domain twice in one org, and for a domain enabled in another org (not a disabled one)', async () => {
    const { org, auth, domain } = await setup();
    await createGoogle(org.id, auth, domain).expect(201);
    const dup = await create(org.id, auth, {
      workspacePlatformSlug: 'office365',
      domain: `@${domain}`,
      serviceAccountKey: microsoftKey(),
    }).expect(409);
    expect(dup.body.error.message).toBe(`Your organization already has delegation credential for ${domain}`);

    // Another org may create the same domain while the first is disabled...
    const other = await setup(domain);
    await createGoogle(other.org.id, other.auth, domain).expect(201);
    // ...but not once one is enabled elsewhere.
    await t.prisma.delegationCredential.updateMany({
      where: { organizationId: org.id },
      data: { enabled: true, status: 'ACTIVE' },
    });
    const third = await setup(domain);
    const res = await createGoogle(third.org.id, third.auth, domain).expect(409);
    expect(res.body.error.message).toBe(
      `Domain ${domain} already has delegation credential enabled in another organization`,
    );
  });

  it('lists and gets only the org’s own credentials; another org’s id is 404 like a missing one', async () => {
    const a = await setup();
    const b = await setup();
    const created = await createGoogle(a.org.id, a.auth, a.domain).expect(201);
    const id = created.body.data.id as string;

    const list = await http().get(base(a.org.id)).set(a.auth).expect(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await http().get(base(b.org.id)).set(b.auth).expect(200)).body.data).toEqual([]);

    await http()
      .get(`${base(a.org.id)}/${id}`)
      .set(a.auth)
      .expect(200);
    for (const req of [
      http().get(`${base(b.org.id)}/${id}`),
      http()
        .patch(`${base(b.org.id)}/${id}`)
        .send({ serviceAccountKey: googleKeyJson() }),
      http()
        .patch(`${base(b.org.id)}/${id}`)
        .send({ enabled: false }),
      http().delete(`${base(b.org.id)}/${id}`),
      http().post(`${base(b.org.id)}/${id}/verify`),
      http().get(`${base(b.org.id)}/${id}/audit`),
    ]) {
      const res = await req.set(b.auth).expect(404);
      expect(res.body.error.message).toBe(`DelegationCredential with id ${id} not found`);
    }
    const missing = await http()
      .get(`${base(a.org.id)}/not-a-uuid`)
      .set(a.auth)
      .expect(404);
    expect(missing.body.error.message).toBe('DelegationCredential with id not-a-uuid not found');
    // The other org's PATCH changed nothing.
    const after = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id } });
    expect(after.updatedAt.toISOString()).toBe(created.body.data.updatedAt);
  });

  it('paginates the list with take/skip and validates them', async () => {
    const { org, auth } = await setup();
    for (let i = 0; i < 3; i++) {
      await createGoogle(org.id, auth, `d${i}-${uniq()}.example`).expect(201);
    }
    const all = (await http().get(base(org.id)).set(auth).expect(200)).body.data;
    const page = (
      await http()
        .get(`${base(org.id)}?take=1&skip=1`)
        .set(auth)
        .expect(200)
    ).body.data;
    expect(page).toEqual([all[1]]);
    for (const query of ['take=0', 'take=251', 'skip=-1']) {
      await http()
        .get(`${base(org.id)}?${query}`)
        .set(auth)
        .expect(400);
    }
  });

  it('stores a rotated key on a disabled credential without a provider check, re-encrypted, and audits it', async () => {
    const { org, auth, domain } = await setup();
    const created = await createGoogle(org.id, auth, domain).expect(201);
    const id = created.body.data.id as string;
    const before = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id } });
    const newKey = googleKeyJson();
    const res = await update(org.id, auth, id, { serviceAccountKey: newKey }).expect(200);
    expect(res.body.data).toMatchObject({ enabled: false, status: 'pending', clientId: newKey.client_id });
    const after = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id } });
    expect(after.encryptedKey).not.toBe(before.encryptedKey);

    const audit = await http()
      .get(`${base(org.id)}/${id}/audit`)
      .set(auth)
      .expect(200);
    expect(
      audit.body.data.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`),
    ).toEqual(['ROTATE_KEY:SUCCESS', 'CREATE:SUCCESS']);
    expect(JSON.stringify(audit.body)).not.toContain('PRIVATE KEY');
  });

  it('rejects a key of the wrong type on PATCH and an empty PATCH with 400', async () => {
    const { org, auth, domain } = await setup();
    const id = (await createGoogle(org.id, auth, domain).expect(201)).body.data.id as string;
    const res = await update(org.id, auth, id, { serviceAccountKey: microsoftKey() }).expect(400);
    expect(res.body.error.message).toMatch(/must be a Google service account key/);
    const empty = await update(org.id, auth, id, {}).expect(400);
    expect(empty.body.error.message).toBe('Nothing to update: send enabled and/or serviceAccountKey');
    await update(org.id, auth, id, { enabled: 'yes' }).expect(400);
  });

  it('disabling a disabled credential is a no-op 200 that queues nothing', async () => {
    const { org, auth, domain } = await setup();
    const created = await createGoogle(org.id, auth, domain).expect(201);
    const res = await update(org.id, auth, created.body.data.id, { enabled: false }).expect(200);
    expect(res.body.data).toEqual(created.body.data);
  });

  it('works for a member whose PBAC role grants organization.update', async () => {
    const org = await t.fixtures.org({ pbacEnabled: true });
    const role = await t.fixtures.customRole(org.id, ['organization.update']);
    const domain = `${uniq()}.example`;
    const user = await t.fixtures.user(`pbac@${domain}`);
    await t.fixtures.membership(user.id, org.id, 'MEMBER', true, role.id);
    const auth = bearer(await t.fixtures.apiKey(user.id));
    await createGoogle(org.id, auth, domain).expect(201);
  });
});
