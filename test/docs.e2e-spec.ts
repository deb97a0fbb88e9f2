import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { useTestApp } from './utils/app';

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

/** Cal.com's published OpenAPI for every endpoint we mirror (shared/contract, beside the repository). */
function contract(): Paths | null {
  const file = path.join(__dirname, '..', '..', 'shared', 'contract', 'calcom-openapi-subset.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { paths: Paths }).paths;
  } catch {
    return null;
  }
}

describe('OpenAPI document at /docs-json (e2e)', () => {
  const t = useTestApp();
  let doc: { info: { title: string }; paths: Paths; components: { schemas: Record<string, unknown> } };
  beforeAll(async () => {
    doc = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body;
  });

  it('is titled as Cal.com API v2 and serves the explorer at /docs', async () => {
    expect(doc.info.title).toBe('Cal.com API v2');
    const html = await request(t.app.getHttpServer()).get('/docs').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('/docs/ (a trailing slash) is sent to /docs, whose relative asset links resolve', async () => {
    const server = t.app.getHttpServer();
    const slash = await request(server).get('/docs/?x=1').expect(301);
    expect(slash.headers.location).toBe('/docs?x=1');
    const html = (await request(server).get('/docs').expect(200)).text;
    const assets = [...html.matchAll(/(?:src|href)="\.\/(docs\/[^"]+)"/g)].map((m) => `/${m[1]}`);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) await request(server).get(asset).expect(200);
  });

  it('lists all delegation credential operations with Cal.com operationIds, tag and auth headers', () => {
    const ops: [string, string, string][] = [
      ['post', '/v2/organizations/{orgId}/delegation-credentials', 'createDelegationCredential'],
      ['get', '/v2/organizations/{orgId}/delegation-credentials', 'getDelegationCredentials'],
      ['get', '/v2/organizations/{orgId}/delegation-credentials/{credentialId}', 'getDelegationCredential'],
      [
        'patch',
        '/v2/organizations/{orgId}/delegation-credentials/{credentialId}',
        'updateDelegationCredential',
      ],
      [
        'delete',
        '/v2/organizations/{orgId}/delegation-credentials/{credentialId}',
        'deleteDelegationCredential',
      ],
      [
        'post',
        '/v2/organizations/{orgId}/delegation-credentials/{credentialId}/verify',
        'verifyDelegationCredential',
      ],
    ];
    for (const [method, p, name] of ops) {
      const op = doc.paths[p]?.[method];
      expect({ p, method, operationId: op?.operationId }).toEqual({
        p,
        method,
        operationId: `OrganizationsDelegationCredentialController_${name}`,
      });
      expect(op?.tags).toEqual(['Orgs / Delegation Credentials']);
      const headers = (op?.parameters ?? [])
        .filter((x) => x.in === 'header')
        .map((x) => [x.name, x.required]);
      expect(headers).toEqual([
        ['Authorization', false],
        ['x-cal-secret-key', false],
        ['x-cal-client-id', false],
      ]);
    }
  });

  it('documents request and response schemas with the seven required output fields and examples', () => {
    const schemas = doc.components.schemas as Record<
      string,
      { required?: string[]; properties?: Record<string, { example?: unknown; oneOf?: unknown[] }> }
    >;
    expect(schemas.DelegationCredentialOutput.required).toEqual(
      expect.arrayContaining([
        'id',
        'enabled',
        'domain',
        'organizationId',
        'workspacePlatform',
        'createdAt',
        'updatedAt',
      ]),
    );
    expect(schemas.CreateDelegationCredentialInput.properties?.serviceAccountKey.oneOf).toHaveLength(2);
    expect(schemas.CreateDelegationCredentialInput.properties?.domain.example).toBe('acme.com');
    expect(schemas.GoogleServiceAccountKeyInput.required).toEqual([
      'private_key',
      'client_email',
      'client_id',
    ]);
    expect(schemas.MicrosoftServiceAccountKeyInput.required).toEqual([
      'private_key',
      'tenant_id',
      'client_id',
    ]);
    const create = doc.paths['/v2/organizations/{orgId}/delegation-credentials'].post;
    expect(create.requestBody).toBeDefined();
    expect(Object.keys(create.responses ?? {})).toEqual(['201']);
  });

  it('matches every path, method, operationId and tag of Cal.com’s published contract', () => {
    const published = contract();
    if (!published) return; // the contract lives outside the repository; nothing to compare against here
    const mismatches: string[] = [];
    for (const [p, methods] of Object.entries(published)) {
      for (const [method, op] of Object.entries(methods)) {
        const ours = doc.paths[p]?.[method];
        if (!ours) mismatches.push(`${method.toUpperCase()} ${p}: missing`);
        else if (
          ours.operationId !== op.operationId ||
          JSON.stringify(ours.tags) !== JSON.stringify(op.tags)
        ) {
          mismatches.push(`${method.toUpperCase()} ${p}: ${ours.operationId} ${JSON.stringify(ours.tags)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
