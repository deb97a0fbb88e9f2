import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

/** Debian's chromium (`apt-get install chromium`); .ci/run installs it. CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
  // A host name that is not localhost: browsers treat only loopback names as secure, so this is how /docs looks
  // from another machine over plain http (the traffic itself stays on 127.0.0.1).
  '--host-resolver-rules=MAP docs.test 127.0.0.1',
];
const ARTIFACTS = path.join(__dirname, 'artifacts');
const LIST_PATH = '/v2/organizations/{orgId}/delegation-credentials';

const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI) {
  throw new Error(`Chromium is required in CI for the docs explorer test: ${CHROMIUM} not found`);
}
if (!browserAvailable) {
  process.stderr.write(
    `Skipping the docs explorer browser test: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH).\n`,
  );
}
const itWithBrowser = browserAvailable ? it : it.skip;

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: Schema; example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema; example?: unknown }> }>;
}
interface Schema {
  $ref?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
}

describe('Docs explorer (e2e)', () => {
  const t = useTestAppWithFakes();
  let origin: string;
  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    origin = `http://docs.test:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  it('answers /docs without the CSP directive that breaks it over plain http on other hosts', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('declares the API key and platform client security schemes on every /v2 operation, keeping the header parameters', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes).toEqual({
      ApiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      PlatformClientId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-cal-client-id' }),
      PlatformSecretKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-cal-secret-key' }),
    });
    const v2 = Object.entries(doc.paths).filter(([p]) => p.startsWith('/v2/'));
    expect(v2.length).toBeGreaterThan(10);
    for (const [p, methods] of v2) {
      for (const [method, op] of Object.entries(methods)) {
        expect({ op: `${method} ${p}`, security: op.security }).toEqual({
          op: `${method} ${p}`,
          security: [{ ApiKey: [] }, { PlatformClientId: [], PlatformSecretKey: [] }],
        });
      }
    }
    const list = doc.paths[LIST_PATH].get;
    expect(list.operationId).toBe('OrganizationsDelegationCredentialController_getDelegationCredentials');
    expect(list.parameters?.filter((x) => x.in === 'header').map((x) => x.name)).toEqual([
      'Authorization',
      'x-cal-secret-key',
      'x-cal-client-id',
    ]);
  });

  it('has a request example (when there is a body) and a response example on every operation', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, Schema> };
    };
    const resolve = (s?: Schema) => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
    const hasExample = (s: Schema | undefined, depth = 0): boolean => {
      const schema = resolve(s);
      if (!schema || depth > 5) return false;
      if (schema.example !== undefined) return true;
      return [
        ...Object.values(schema.properties ?? {}),
        ...(schema.items ? [schema.items] : []),
        ...(schema.allOf ?? []),
        ...(schema.oneOf ?? []),
      ].some((x) => hasExample(x, depth + 1));
    };
    const missing: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const body = op.requestBody?.content?.['application/json'];
        if (op.requestBody && !(body?.example !== undefined || hasExample(body?.schema)))
          missing.push(`${method.toUpperCase()} ${p}: request`);
        const responses = Object.values(op.responses ?? {}).map((r) => r.content?.['application/json']);
        if (!responses.some((r) => r && (r.example !== undefined || hasExample(r.schema))))
          missing.push(`${method.toUpperCase()} ${p}: response`);
      }
    }
    expect(missing).toEqual([]);
  });

  describe('in a browser', () => {
    let browser: Browser | undefined;
    afterAll(async () => {
      await browser?.close();
    });

    itWithBrowser(
      'opens /docs over http on a non-loopback host name, authorizes with a cal_ key and lists the credential with "Try it out"',
      async () => {
        const org = await delegatedOrg(t, 'google', { enabled: false });
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        mkdirSync(ARTIFACTS, { recursive: true });
        try {
          await page.goto(`${origin}/docs`);
          await page.locator('.opblock').first().waitFor({ timeout: 30_000 });

          await page.locator('button.btn.authorize').first().click();
          const scheme = page.locator('form').filter({ has: page.locator('#auth-bearer-value') });
          await scheme.locator('#auth-bearer-value').fill(org.apiKey);
          await scheme.locator('button.authorize').click();
          // Once the key is taken the form shows "Authorized" and a Logout button in place of the input.
          await page.locator('.modal-ux .auth-container').filter({ hasText: 'Authorized' }).first().waitFor();
          await page.locator('.modal-ux button.btn-done, .modal-ux button.close-modal').first().click();

          const operation = page
            .locator('.opblock.opblock-get')
            .filter({ has: page.locator(`.opblock-summary-path[data-path="${LIST_PATH}"]`) });
          await operation.locator('.opblock-summary').first().click();
          await operation.locator('button.try-out__btn').click();
          await operation.locator('tr[data-param-name="orgId"] input').fill(String(org.org.id));
          await operation.locator('button.execute').click();

          const live = operation.locator('.live-responses-table tr.response');
          await live.locator('.response-col_status').first().waitFor({ timeout: 30_000 });
          expect((await live.locator('.response-col_status').first().innerText()).trim()).toBe('200');
          const body = await live.locator('.response-col_description pre').first().innerText();
          expect(JSON.parse(body)).toMatchObject({
            status: 'success',
            data: [expect.objectContaining({ id: org.dcId, domain: org.domain, enabled: false })],
          });
          expect(await operation.locator('.curl-command').innerText()).toContain(
            `Authorization: Bearer ${org.apiKey}`,
          );

          await operation.locator('.opblock-summary').first().click(); // fold it again: the list is the picture
          await page.setViewportSize({ width: 1280, height: 1800 });
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: path.join(ARTIFACTS, 'docs-explorer.png') });
        } catch (error) {
          // What the browser showed when it failed, for the person reading the CI log.
          await page.screenshot({ path: path.join(ARTIFACTS, 'docs-explorer-failure.png'), fullPage: true });
          throw error;
        }
      },
      120_000,
    );
  });
});
