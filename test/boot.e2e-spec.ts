import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '..');

/** A TCP port nothing listens on (bound once by us, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs an entrypoint as operators do (ts-node, no build) with environment overrides; resolves on any exit code. */
async function start(
  entry: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<Exit> {
  const started = Date.now();
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', './scripts/ts-register.cjs', entry, ...args],
      {
        cwd: root,
        env: merged,
        timeout: 40_000,
      },
    );
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

describe('Boot checks (e2e)', () => {
  it('the API refuses to start when PostgreSQL cannot be reached, naming host and port, without a stack trace or the password', async () => {
    const port = await closedPort();
    const out = await start('src/main.ts', {
      DATABASE_URL: `postgresql://postgres:hunter2@127.0.0.1:${port}/delegation`,
      PORT: String(await closedPort()),
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Cannot reach PostgreSQL at 127.0.0.1:${port}/delegation (DATABASE_URL)`);
    expect(out.stderr).toContain('ECONNREFUSED');
    expect(out.stderr).not.toMatch(STACK_FRAME);
    expect(out.stderr + out.stdout).not.toContain('hunter2');
    expect(out.stdout).not.toContain('API listening');
  }, 60_000);

  it('the worker refuses to start when Redis cannot be reached, naming host and port', async () => {
    const port = await closedPort();
    const out = await start('src/worker.ts', { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Worker cannot start:`);
    expect(out.stderr).toContain(`Cannot reach Redis at 127.0.0.1:${port} (REDIS_URL)`);
    expect(out.stderr).not.toMatch(STACK_FRAME);
    expect(out.stderr + out.stdout).not.toContain('s3cret');
    expect(out.stdout).not.toContain('Worker started');
  }, 60_000);

  it('a database that does not exist says how to create it; the API does not refuse to start for Redis alone', async () => {
    const redisPort = await closedPort();
    const db = new URL(process.env.DATABASE_URL!);
    db.pathname = '/no_such_database_boot_test';
    const out = await start('src/main.ts', {
      DATABASE_URL: db.toString(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(await closedPort()),
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      'the database does not exist. Create and migrate it with `npm run db:migrate`',
    );
    // Redis is not a boot requirement of the API: changes are committed with their job intents in PostgreSQL
    // (test/faults-redis covers an API starting and serving while Redis is down).
    expect(out.stderr).not.toContain('Cannot reach Redis');
    expect(out.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('when both answer, the worker starts and its log lines come out (the checks leave logging alone)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.LOG_LEVEL; // the service's default level
    const child = spawn(process.execPath, ['-r', './scripts/ts-register.cjs', 'src/worker.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line: ${output}`)), 40_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (output.includes('Worker started')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${output}`)));
      });
      expect(output).toContain('Worker started');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  }, 60_000);

  it.each([
    ['API', 'src/main.ts', []],
    ['Worker', 'src/worker.ts', []],
    ['CLI', 'src/cli.ts', ['seed']],
  ])(
    'the %s prints one configuration block without a stack trace',
    async (name, entry, args) => {
      const out = await start(entry, { DATABASE_URL: 'mysql://x', PORT: 'abc' }, args);
      expect(out.code).toBe(1);
      const lines = out.stderr.trim().split('\n');
      expect(lines).toEqual([
        `${name} cannot start: invalid configuration`,
        '  - DATABASE_URL: must be a postgresql:// connection URL',
        expect.stringMatching(/^ {2}- PORT: \S/),
        'Set these in the environment or in .env (every variable is described in .env.example).',
      ]);
    },
    60_000,
  );

  it('the sandbox reads SANDBOX_PORT from .env like the service', async () => {
    const port = await closedPort();
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-env-'));
    writeFileSync(path.join(dir, '.env'), `SANDBOX_PORT=${port}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SANDBOX_PORT;
    const child = spawn(
      process.execPath,
      ['-r', path.join(root, 'scripts', 'ts-register.cjs'), path.join(root, 'src', 'sandbox', 'main.ts')],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stderr.resume();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stdout}`)), 40_000);
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stdout}`)));
      });
      expect(stdout).toContain(`sandbox listening on http://127.0.0.1:${port}`);
      const res = await fetch(`http://127.0.0.1:${port}/__sandbox`);
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the sandbox reports a bad SANDBOX_PORT in one block', async () => {
    const out = await start('src/sandbox/main.ts', { SANDBOX_PORT: 'not-a-port' });
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      [
        'Sandbox cannot start: invalid configuration',
        '  - SANDBOX_PORT: must be a port number (0-65535)',
        'Set these in the environment or in .env (see .env.example).',
      ].join('\n'),
    );
  }, 60_000);
});
