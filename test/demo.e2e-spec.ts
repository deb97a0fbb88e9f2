import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { StoryFacts } from '../demo/story';

const run = promisify(execFile);
const root = path.join(__dirname, '..');

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run demo -- <args>` as a person runs it (through npm), with environment overrides. */
async function demo(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  unset: string[] = [],
): Promise<Finished> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of unset) delete merged[name];
  const npm = process.env.npm_execpath;
  const command = npm ? process.execPath : 'npm';
  const argv = [...(npm ? [npm] : []), 'run', 'demo', '--', ...args];
  try {
    const { stdout, stderr } = await run(command, argv, {
      cwd: root,
      env: merged,
      timeout: timeoutMs,
      maxBuffer: 20 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run demo (e2e)', () => {
  const demoDb = new URL(process.env.DATABASE_URL!);
  demoDb.pathname = `${demoDb.pathname}_demo`;
  const dir = mkdtempSync(path.join(tmpdir(), 'demo-report-'));

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const admin = new URL(process.env.DATABASE_URL!);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${demoDb.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  });

  it('--once walks the whole story on a fresh database and exits 0 with the facts established', async () => {
    const report = path.join(dir, 'facts.json');
    const finished = await demo(
      ['--once', '--members', '50', '--report', report],
      {
        DEMO_DATABASE_URL: demoDb.toString(),
        DEMO_API_PORT: '0',
        // A deployment's limits (as .env.example sets them), lowered far below what the story needs: the demo's
        // own API must run without them (the default 200 members once failed at member 121 with 429).
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_DEFAULT_LIMIT_API_KEY: '20',
        RATE_LIMIT_DEFAULT_LIMIT: '20',
      },
      540_000,
      ['LOG_LEVEL'], // the run's LOG_LEVEL=error would hide the worker's start line the demo waits for
    );
    if (finished.code !== 0)
      throw new Error(`demo exited ${finished.code}:\n${finished.stdout}\n${finished.stderr}`);
    expect(finished.stdout).toContain('The story is done');
    expect(finished.stdout).toMatch(
      /Try it yourself[\s\S]*\/docs[\s\S]*curl -s -H 'Authorization: Bearer cal_/,
    );

    const facts = JSON.parse(readFileSync(report, 'utf8')) as StoryFacts;
    // 50 members: 46 on acme.test in the directory, the admin, 1 not in the directory, 2 outside the domain.
    expect(facts.google.members).toEqual({ matching: 48, connected: 47, pending: 0, failing: 1, blocked: 0 });
    expect(facts.memberNotInDirectoryReported).toBe(true);
    expect(facts.google.busyTimes).toEqual([
      expect.objectContaining({
        start: expect.stringMatching(/T10:00:00/),
        end: expect.stringMatching(/T11:00:00/),
      }),
    ]);
    expect(facts.google.meetUrl).toMatch(/^https:\/\/meet\.google\.com\//);
    expect(facts.microsoft.members).toMatchObject({ connected: 14, pending: 0, failing: 0 });
    expect(facts.microsoft.busyTimes).toHaveLength(1);
    expect(facts.microsoft.teamsUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    expect(facts.revocation).toMatchObject({
      verified: false,
      reasonType: 'CLIENT_NOT_AUTHORIZED',
      webhook: { errorType: 'CLIENT_NOT_AUTHORIZED', signatureValid: true },
    });
    expect(facts.cleanup).toMatchObject({
      credentialsAfterDisable: 0,
      delegatedCalendarGone: true,
      destinationCalendarKept: facts.google.member.email,
    });

    // The demo's database agrees: member credentials gone, the preferences provisioning gave every matching member
    // (Google's primary calendar id is the email, so even the member missing from the directory got them) kept.
    const db = new Client({ connectionString: demoDb.toString() });
    await db.connect();
    try {
      const dc = facts.google.delegationCredentialId;
      const count = async (sql: string) => Number((await db.query<{ n: string }>(sql, [dc])).rows[0].n);
      expect(await count(`SELECT count(*) AS n FROM "Credential" WHERE "delegationCredentialId" = $1`)).toBe(
        0,
      );
      const acmeUsers = `SELECT id FROM "User" WHERE email LIKE '%@acme.test' AND $1::text IS NOT NULL`;
      expect(
        await count(`SELECT count(*) AS n FROM "DestinationCalendar" WHERE "userId" IN (${acmeUsers})`),
      ).toBe(48);
      expect(
        await count(`SELECT count(*) AS n FROM "SelectedCalendar" WHERE "userId" IN (${acmeUsers})`),
      ).toBe(48);
    } finally {
      await db.end();
    }

    // Only the demo API keys it means to show; no key material, master key or webhook secret.
    const printed = finished.stdout + finished.stderr;
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).not.toContain(process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY!);
    expect(printed).not.toMatch(/whsec_/);

    // Secret hygiene of what the demo leaves behind (issue 15's scanner): its database outside the encrypted columns,
    // its Redis keys and job data, and the API, worker and sandbox logs hold no fragment of any secret it used.
    const scan = await run(
      process.execPath,
      ['-r', './scripts/ts-register.cjs', 'scripts/secret-hygiene/cli.ts', '--demo', '--secrets', report],
      {
        cwd: root,
        env: { ...process.env, DEMO_DATABASE_URL: demoDb.toString() },
        maxBuffer: 20 * 1024 * 1024,
      },
    );
    expect(scan.stdout).toContain('✓ secret hygiene: no fragment of any secret found');
  }, 600_000);

  it('without a reachable PostgreSQL or Redis it starts an embedded PostgreSQL and a redis-server, and stops them', async () => {
    const [pgPort, redisPort] = [await closedPort(), await closedPort()];
    const env: Record<string, string> = {
      DEMO_LOCAL_POSTGRES_URL: `postgresql://postgres@127.0.0.1:${pgPort}/delegation_demo`,
      DEMO_LOCAL_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DEMO_API_PORT: '0',
    };
    const finished = await demo(['--once', '--members', '5'], env, 400_000, [
      'DATABASE_URL',
      'REDIS_URL',
      'LOG_LEVEL',
    ]);
    if (finished.code !== 0)
      throw new Error(`demo exited ${finished.code}:\n${finished.stdout}\n${finished.stderr}`);
    expect(finished.stdout).toMatch(/embedded PostgreSQL on 127\.0\.0\.1:\d+ \(data in /);
    expect(finished.stdout).toMatch(/own redis-server on 127\.0\.0\.1:(\d+)/);
    expect(finished.stdout).toContain('The story is done');
    // Both were stopped with the demo: nothing answers on their ports any more.
    const redisOwn = Number(/own redis-server on 127\.0\.0\.1:(\d+)/.exec(finished.stdout)![1]);
    const pgOwn = Number(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(finished.stdout)![1]);
    for (const port of [redisOwn, pgOwn]) {
      const answered = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect({ port, answered }).toEqual({ port, answered: false });
    }
  }, 480_000);

  it('--once exits non-zero naming the step that failed', async () => {
    const port = await closedPort();
    const finished = await demo(['--once'], { REDIS_URL: `redis://127.0.0.1:${port}` }, 120_000);
    expect(finished.code).not.toBe(0);
    expect(finished.stdout).toContain('Failed at step Redis');
    expect(finished.stdout).toContain(`Cannot reach Redis at 127.0.0.1:${port} (REDIS_URL)`);
  }, 180_000);
});
