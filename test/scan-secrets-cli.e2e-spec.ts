import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestApp, type TestApp } from './utils/app';
import { uniq } from './utils/fixtures';
import { createIsolatedDatabase } from './utils/isolated-database';

const run = promisify(execFile);
const root = path.join(__dirname, '..');

/** `npm run scan:secrets` as the demo (or an operator) runs it; resolves with its exit code and output. */
async function scanSecrets(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', './scripts/ts-register.cjs', 'scripts/secret-hygiene/cli.ts', ...args],
      { cwd: root, env: process.env, timeout: 120_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/**
 * The secret scan of a deployment (`npm run scan:secrets`, the demo's `--scan-secrets`): the secrets its database
 * holds sealed plus given ones, looked for in the database, Redis and log files. Exit 0 when clean; 1 naming where a
 * fragment is, without the secret.
 */
describe('npm run scan:secrets (e2e)', () => {
  let t: TestApp;
  let database: { url: string; drop(): Promise<void> };
  const dir = mkdtempSync(path.join(tmpdir(), 'scan-secrets-'));
  const previousUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    database = await createIsolatedDatabase('scancli');
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    process.env.DATABASE_URL = previousUrl;
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on a clean deployment and names every place a secret fragment was left', async () => {
    const { org, admin, auth, apiKey } = await t.fixtures.orgWithAdmin();
    const secret = `whsec-${uniq()}${uniq()}${uniq()}`;
    await request(t.app.getHttpServer())
      .post(`/v2/organizations/${org.id}/webhooks`)
      .set(auth)
      .send({
        subscriberUrl: 'https://93.184.215.14/x',
        active: true,
        triggers: ['DELEGATION_CREDENTIAL_ERROR'],
        secret,
      })
      .expect(201);
    const logs = path.join(dir, 'logs');
    rmSync(logs, { recursive: true, force: true });
    writeFileSync(path.join(dir, 'facts.json'), JSON.stringify({ admin: { apiKey } }));
    const args = [
      '--database-url',
      database.url,
      '--prefix',
      `${process.env.QUEUE_PREFIX}-scancli`,
      '--secrets',
      path.join(dir, 'facts.json'),
    ];
    const clean = await scanSecrets(args);
    expect(clean).toEqual({ code: 0, output: expect.stringContaining('✓ secret hygiene: no fragment') });
    expect(clean.output).toMatch(/[1-9]\d* sealed secret\(s\) \+ 1 given/);

    await t.prisma.user.update({ where: { id: admin.id }, data: { name: `leak ${secret.slice(3, 30)}` } });
    writeFileSync(path.join(dir, 'api.log'), `{"msg":"calling with ${apiKey}"}\n`);
    const dirty = await scanSecrets([...args, '--logs', path.join(dir, 'api.log')]);
    expect(dirty.code).toBe(1);
    expect(dirty.output).toContain('db "User": fragment of Webhook');
    expect(dirty.output).toContain('log ');
    expect(dirty.output).toContain('fragment of facts.json secret #1');
    expect(dirty.output).not.toContain(secret.slice(6, 22));
    expect(dirty.output).not.toContain(apiKey.slice(4, 20));
  }, 180_000);

  it('--demo scans what `npm run demo -- --once` leaves (its database, Redis prefix, logs, master key)', async () => {
    const previous = { url: process.env.DEMO_DATABASE_URL };
    process.env.DEMO_DATABASE_URL = database.url;
    try {
      const result = await scanSecrets(['--demo']);
      expect(result.output).toContain(`Redis key(s) under "${process.env.QUEUE_PREFIX}"`);
      expect(result.code).toBe(1); // the leak planted above is still in the database
      expect(result.output).toContain('db "User": fragment of Webhook');
    } finally {
      if (previous.url === undefined) delete process.env.DEMO_DATABASE_URL;
      else process.env.DEMO_DATABASE_URL = previous.url;
    }
  }, 120_000);
});
