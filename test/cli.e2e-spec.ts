import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AppConfigService } from '../src/config/app-config.service';
import { parseMasterKeys } from '../src/config/master-keys';
import { KeyEncryptionService } from '../src/crypto/key-encryption.service';
import { useTestApp } from './utils/app';
import { uniq } from './utils/fixtures';

const run = promisify(execFile);
const root = path.join(__dirname, '..');

/** The operator CLI, run as operators run it (`npm run cli -- …` = node + ts-node), against the test database. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', './scripts/ts-register.cjs', 'src/cli.ts', ...args], {
    cwd: root,
    env: process.env,
  });
}

describe('Bootstrap CLI (e2e)', () => {
  const t = useTestApp();

  it('seed creates both workspace platforms idempotently and keeps operator changes', async () => {
    await cli('seed');
    await t.prisma.workspacePlatform.update({ where: { slug: 'office365' }, data: { enabled: false } });
    await cli('seed');
    const rows = await t.prisma.workspacePlatform.findMany({
      where: { slug: { in: ['google', 'office365'] } },
      orderBy: { slug: 'asc' },
    });
    expect(rows.map((r) => [r.slug, r.name, r.enabled])).toEqual([
      ['google', 'Google Workspace', true],
      ['office365', 'Microsoft 365', false],
    ]);
    await t.prisma.workspacePlatform.update({ where: { slug: 'office365' }, data: { enabled: true } });
  }, 60_000);

  it('create-org --json prints one JSON object whose key works, idempotent per slug; the key is stored hashed', async () => {
    const slug = `acme-${uniq()}`;
    const email = `admin@${slug}.example`;
    const first = await cli('create-org', '--slug', slug, '--admin-email', email, '--json');
    const a = JSON.parse(first.stdout) as {
      organizationId: number;
      userId: number;
      email: string;
      apiKey: string;
    };
    expect(a).toEqual({
      organizationId: expect.any(Number),
      userId: expect.any(Number),
      email,
      apiKey: expect.stringMatching(/^cal_[0-9a-f]{64}$/),
    });
    expect(first.stdout.trim().split('\n')).toHaveLength(1);

    const second = JSON.parse(
      (await cli('create-org', '--slug', slug, '--admin-email', email, '--json')).stdout,
    ) as typeof a;
    expect(second.organizationId).toBe(a.organizationId);
    expect(second.apiKey).not.toBe(a.apiKey);

    await request(t.app.getHttpServer())
      .get(`/v2/organizations/${a.organizationId}/delegation-credentials`)
      .set('Authorization', `Bearer ${a.apiKey}`)
      .expect(200);
    const keys = await t.prisma.apiKey.findMany({ where: { userId: a.userId } });
    expect(keys).toHaveLength(2);
    expect(keys.some((k) => a.apiKey.includes(k.hashedKey))).toBe(false);
    const membership = await t.prisma.membership.findFirstOrThrow({
      where: { userId: a.userId, teamId: a.organizationId },
    });
    // The first admin owns the organization (it always keeps an owner); a later one is an admin.
    expect(membership).toMatchObject({ role: 'OWNER', accepted: true });
    const later = JSON.parse(
      (await cli('create-org', '--slug', slug, '--admin-email', `second-${email}`, '--json')).stdout,
    ) as typeof a;
    expect(later.organizationId).toBe(a.organizationId);
    expect(
      await t.prisma.membership.findFirstOrThrow({
        where: { userId: later.userId, teamId: a.organizationId },
      }),
    ).toMatchObject({ role: 'ADMIN', accepted: true });
  }, 60_000);

  it('through npm (`npm run -s cli -- … --json`, as the README says) stdout is exactly the JSON object', async () => {
    const npm = process.env.npm_execpath;
    const slug = `npm-${uniq()}`;
    const email = `admin@${slug}.example`;
    const args = ['run', '-s', 'cli', '--', 'create-org', '--slug', slug, '--admin-email', email, '--json'];
    const out = npm
      ? await run(process.execPath, [npm, ...args], { cwd: root, env: process.env })
      : await run('npm', args, { cwd: root, env: process.env });
    expect(JSON.parse(out.stdout)).toMatchObject({ email, apiKey: expect.stringMatching(/^cal_/) });
  }, 60_000);

  it('create-org --platform also issues an OAuth client that authenticates', async () => {
    const slug = `plat-${uniq()}`;
    const out = JSON.parse(
      (await cli('create-org', '--slug', slug, '--admin-email', `a@${slug}.example`, '--platform', '--json'))
        .stdout,
    );
    await request(t.app.getHttpServer())
      .get(`/v2/organizations/${out.organizationId}/delegation-credentials`)
      .set('x-cal-client-id', out.oauthClientId)
      .set('x-cal-secret-key', out.oauthClientSecret)
      .expect(200);
  }, 60_000);

  it('create-api-key creates the user when missing and rejects an unknown org', async () => {
    const email = `someone-${uniq()}@example.com`;
    const out = JSON.parse((await cli('create-api-key', '--email', email, '--json')).stdout);
    expect(out).toMatchObject({ email, userId: expect.any(Number), apiKey: expect.stringMatching(/^cal_/) });
    await expect(cli('create-api-key', '--email', email, '--org', '2000000000')).rejects.toMatchObject({
      stderr: expect.stringContaining('organization 2000000000 not found'),
    });
  }, 60_000);

  it('fails with a message naming a malformed variable', async () => {
    await expect(
      run(process.execPath, ['-r', './scripts/ts-register.cjs', 'src/cli.ts', 'seed'], {
        cwd: root,
        env: { ...process.env, SERVICE_ACCOUNT_ENCRYPTION_KEY: 'c2hvcnQ=', PORT: 'x' },
      }),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /^CLI cannot start: invalid configuration\n {2}- PORT: [\s\S]*SERVICE_ACCOUNT_ENCRYPTION_KEY: the key must decode to exactly 32 bytes/,
      ),
    });
  }, 60_000);

  it('reencrypt-keys re-seals service account keys, webhook secrets and manual calendar keys under the newest master key', async () => {
    const crypto = t.app.get(KeyEncryptionService);
    const { org, admin } = await t.fixtures.orgWithAdmin();
    const platform = await t.prisma.workspacePlatform.upsert({
      where: { slug: 'google' },
      update: {},
      create: { slug: 'google', name: 'Google Workspace' },
    });
    const dcId = randomUUID();
    const dcKey = crypto.seal({ private_key: 'pk', client_email: 'sa@x.iam', client_id: '1' }, dcId);
    await t.prisma.delegationCredential.create({
      data: {
        id: dcId,
        organizationId: org.id,
        workspacePlatformId: platform.id,
        domain: `${uniq()}.example`,
        encryptedKey: dcKey.ciphertext,
        keyVersion: dcKey.keyVersion,
        clientId: '1',
      },
    });
    const webhookId = randomUUID();
    const secret = crypto.seal({ secret: 'whsec' }, webhookId);
    await t.prisma.webhook.create({
      data: {
        id: webhookId,
        organizationId: org.id,
        subscriberUrl: 'https://hooks.example/x',
        triggers: ['DELEGATION_CREDENTIAL_ERROR'],
        encryptedSecret: secret.ciphertext,
        secretKeyVersion: secret.keyVersion,
      },
    });
    const manual = await t.prisma.credential.create({
      data: { type: 'apple_calendar', appId: 'apple-calendar', userId: admin.id },
    });
    const manualKey = crypto.seal(
      { email: admin.email, secret: { password: 'p' } },
      `credential:${manual.id}`,
    );
    await t.prisma.credential.update({
      where: { id: manual.id },
      data: { encryptedKey: manualKey.ciphertext, keyVersion: manualKey.keyVersion },
    });

    const newest = randomBytes(32).toString('base64');
    const keys = `1:${process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY},2:${newest}`;
    const env: NodeJS.ProcessEnv = { ...process.env, SERVICE_ACCOUNT_ENCRYPTION_KEYS: keys };
    delete env.SERVICE_ACCOUNT_ENCRYPTION_KEY;
    const out = await run(
      process.execPath,
      ['-r', './scripts/ts-register.cjs', 'src/cli.ts', 'reencrypt-keys'],
      { cwd: root, env },
    );
    expect(out.stderr).toMatch(
      /under master key version 2: [1-9]\d* service account key\(s\), [1-9]\d* webhook secret\(s\), [1-9]\d* manual calendar key\(s\)/,
    );

    const rotated = new KeyEncryptionService({
      encryptionKeys: parseMasterKeys(undefined, `2:${newest}`),
    } as unknown as AppConfigService);
    const dc = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: dcId } });
    expect(dc.keyVersion).toBe(2);
    expect(rotated.open({ ciphertext: dc.encryptedKey, keyVersion: 2 }, dcId)).toEqual({
      private_key: 'pk',
      client_email: 'sa@x.iam',
      client_id: '1',
    });
    const hook = await t.prisma.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(
      rotated.open(
        { ciphertext: hook.encryptedSecret ?? '', keyVersion: hook.secretKeyVersion ?? 0 },
        webhookId,
      ),
    ).toEqual({ secret: 'whsec' });
    const cred = await t.prisma.credential.findUniqueOrThrow({ where: { id: manual.id } });
    expect(
      rotated.open(
        { ciphertext: cred.encryptedKey ?? '', keyVersion: cred.keyVersion ?? 0 },
        `credential:${manual.id}`,
      ),
    ).toMatchObject({ email: admin.email });
    // Nothing is left under version 1 for the app to need.
    expect(await t.prisma.delegationCredential.count({ where: { keyVersion: 1 } })).toBe(0);
  }, 60_000);
});
