import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { uniq } from './utils/fixtures';
import { googleKeyJson, microsoftKey } from './utils/keys';
import { useTestAppWithFakes } from './utils/providers';

/** Keys that can never work are refused when they are given (create and PATCH), never echoed (e2e). */
describe('Service account key validation (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const base = (orgId: number) => `/v2/organizations/${orgId}/delegation-credentials`;

  async function org() {
    const domain = `${uniq()}.example`;
    return { domain, ...(await t.fixtures.orgWithAdmin({ domain })) };
  }

  const pkcs8 = (type: 'ec' | 'ed25519') =>
    (type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('ed25519')
    ).privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  const sec1 = () =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();

  describe('Google private_key must be an RSA private key', () => {
    it.each([
      ['an EC key (PKCS#8)', () => pkcs8('ec'), 'this key is EC'],
      ['an EC key (SEC1, BEGIN EC PRIVATE KEY)', sec1, 'this key is EC'],
      ['an Ed25519 key', () => pkcs8('ed25519'), 'this key is ED25519'],
    ])('%s → 400 at create, naming the field, never the key', async (_label, pem, kind) => {
      const { org: o, auth, domain } = await org();
      const key = pem();
      const res = await http()
        .post(base(o.id))
        .set(auth)
        .send({
          workspacePlatformSlug: 'google',
          domain,
          serviceAccountKey: googleKeyJson({ private_key: key }),
        })
        .expect(400);
      expect(res.body.error.message).toContain('serviceAccountKey.private_key must be an RSA private key');
      expect(res.body.error.message).toContain(kind);
      const body = JSON.stringify(res.body);
      expect(body).not.toContain(key.split('\n')[1]);
      expect(await t.prisma.delegationCredential.count({ where: { organizationId: o.id } })).toBe(0);
    });

    it('an EC key → 400 at PATCH too (a disabled credential would otherwise store it unchecked)', async () => {
      const { org: o, auth, domain } = await org();
      const created = await http()
        .post(base(o.id))
        .set(auth)
        .send({ workspacePlatformSlug: 'google', domain, serviceAccountKey: googleKeyJson() })
        .expect(201);
      const res = await http()
        .patch(`${base(o.id)}/${created.body.data.id}`)
        .set(auth)
        .send({ serviceAccountKey: googleKeyJson({ private_key: pkcs8('ec') }) })
        .expect(400);
      expect(res.body.error.message).toContain('must be an RSA private key');
    });

    it.each([
      ['one level of escaping (an env file)', (pem: string) => pem.replace(/\n/g, '\\n')],
      ['two levels (JSON pasted into JSON)', (pem: string) => pem.replace(/\n/g, '\\\\n')],
      ['CRLF escapes', (pem: string) => pem.replace(/\n/g, '\\r\\n')],
    ])(
      'a key whose line breaks arrive as literal escapes, %s, is restored: 201, then enable works',
      async (_label, escape) => {
        const { org: o, auth, domain, admin } = await org();
        const key = await t.fake.createGoogleServiceAccount();
        t.fake.addGoogleUser(admin.email);
        t.fake.authorizeDomainWideDelegation(domain, key.client_id);
        const escaped = escape(key.private_key);
        expect(escaped).not.toContain('\n');
        const created = await http()
          .post(base(o.id))
          .set(auth)
          .send({
            workspacePlatformSlug: 'google',
            domain,
            serviceAccountKey: { ...key, private_key: escaped },
          })
          .expect(201);
        // The key really signs: Google (the sandbox) verifies the assertion against the registered public key.
        const enabled = await http()
          .patch(`${base(o.id)}/${created.body.data.id}`)
          .set(auth)
          .send({ enabled: true })
          .expect(200);
        expect(enabled.body.data).toMatchObject({ enabled: true });
        expect(JSON.stringify(created.body)).not.toContain('PRIVATE KEY');
      },
    );
  });

  describe('Microsoft tenant_id must be a GUID or a domain name', () => {
    it.each(['common', 'organizations', 'consumers', 'Common'])('"%s" → 400 at create', async (tenant) => {
      const { org: o, auth, domain } = await org();
      const res = await http()
        .post(base(o.id))
        .set(auth)
        .send({
          workspacePlatformSlug: 'office365',
          domain,
          serviceAccountKey: microsoftKey({ tenant_id: tenant }),
        })
        .expect(400);
      expect(res.body.error.message).toContain('serviceAccountKey.tenant_id must name one tenant');
      expect(res.body.error.message).toContain('Directory (tenant) ID (a GUID)');
    });

    it('"organizations" → 400 at PATCH; a bad value is never echoed', async () => {
      const { org: o, auth, domain } = await org();
      const created = await http()
        .post(base(o.id))
        .set(auth)
        .send({ workspacePlatformSlug: 'office365', domain, serviceAccountKey: microsoftKey() })
        .expect(201);
      const path = `${base(o.id)}/${created.body.data.id}`;
      const multi = await http()
        .patch(path)
        .set(auth)
        .send({ serviceAccountKey: microsoftKey({ tenant_id: 'organizations' }) })
        .expect(400);
      expect(multi.body.error.message).toContain('must name one tenant');
      const odd = 'tenant-with-a-secret-looking-value!';
      const bad = await http()
        .patch(path)
        .set(auth)
        .send({ serviceAccountKey: microsoftKey({ tenant_id: odd }) })
        .expect(400);
      expect(bad.body.error.message).toContain(
        'serviceAccountKey.tenant_id must be the Directory (tenant) ID',
      );
      expect(JSON.stringify(bad.body)).not.toContain(odd);
    });

    it.each([
      ['a tenant ID (GUID)', '0d2f1c1e-9c3b-4a5e-9d53-5a2b7d0f1234'],
      ['a verified domain', 'contoso.onmicrosoft.com'],
    ])('%s is accepted', async (_label, tenant) => {
      const { org: o, auth, domain } = await org();
      await http()
        .post(base(o.id))
        .set(auth)
        .send({
          workspacePlatformSlug: 'office365',
          domain,
          serviceAccountKey: microsoftKey({ tenant_id: tenant }),
        })
        .expect(201);
    });
  });
});
