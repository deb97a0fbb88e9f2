import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfigService } from '../../src/config/app-config.service';
import { PrismaService } from '../../src/prisma/prisma.service';
import { WorkspacePlatformsRepository } from '../../src/workspace-platforms/workspace-platforms.repository';
import { startFakeProviders } from './providers';
import { Fixtures } from './fixtures';
import type { TestAppWithFakes } from './providers';
import { waitFor } from './worker';

const root = path.join(__dirname, '..', '..');

/** A TCP port free right now on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when the child exits (at once if it already has); its exit code or signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Ends a child for good (SIGKILL) and waits for it. */
export async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited(child);
}

/**
 * A redis-server of the test's own on a free loopback port (never the shared one): no persistence, so `stop()`
 * loses every queued job, like a Redis failover without AOF — the worst case for durability.
 */
export class TestRedis {
  private child?: ChildProcess;
  /** Its working directory (a test that turns AOF on writes there), removed by stop(). */
  private dir?: string;
  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore', cwd: (this.dir ??= mkdtempSync(path.join(tmpdir(), 'test-redis-'))) },
    );
    await waitFor(() => this.ping(), 10_000, `redis-server on ${this.port}`);
  }

  /** Empties this test's own server (never the shared one): no job of one test runs in the next. */
  async flush(): Promise<void> {
    const client = new Redis(this.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await kill(this.child);
    this.child = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open but nothing is answered — a Redis that hangs rather than
   * refuses, the case where a client without its own timeout waits for ever. `thaw()` resumes it.
   */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async ping(): Promise<boolean> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}

/**
 * The build the processes run: `dist/` of this checkout, or FAULTS_DIST_DIR (e.g. another checkout's build, to
 * measure how an older version behaves under the same fault).
 */
function ensureBuilt(entry: string): string {
  const file = path.join(process.env.FAULTS_DIST_DIR ?? path.join(root, 'dist'), `${entry}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before these tests`);
  return file;
}

/** What a spawned process printed (stdout + stderr), for diagnosing a failure. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
}

function spawnBuilt(entry: 'main' | 'worker', env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [ensureBuilt(entry)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** An API process (`node dist/main.js`) on a free port; resolves once GET /health answers. */
export class ApiProcess {
  private constructor(
    readonly spawned: Spawned,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const spawned = spawnBuilt('main', { ...env, PORT: String(port) });
    const api = new ApiProcess(spawned, `http://127.0.0.1:${port}`);
    await waitFor(
      async () => {
        if (spawned.child.exitCode !== null) throw new Error(`API exited:\n${spawned.output()}`);
        return fetch(`${api.url}/health`)
          .then((res) => res.ok)
          .catch(() => false);
      },
      60_000,
      'the API process to listen',
    );
    return api;
  }

  get child(): ChildProcess {
    return this.spawned.child;
  }

  /** SIGTERM (graceful) and wait for the exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return exited(this.child);
  }
}

/** A worker process (`node dist/worker.js`); resolves once it logged that it started (its BullMQ workers run). */
export async function startWorkerProcess(env: Record<string, string>): Promise<Spawned> {
  const spawned = spawnBuilt('worker', { LOG_LEVEL: 'log', ...env });
  await waitFor(
    () => {
      if (spawned.child.exitCode !== null) throw new Error(`worker exited:\n${spawned.output()}`);
      return Promise.resolve(spawned.output().includes('Worker started'));
    },
    60_000,
    'the worker process to start',
  );
  return spawned;
}

/**
 * What the fault tests share with the ordinary e2e helpers (delegatedOrg): the provider fakes, Prisma and fixtures
 * in this process, but every HTTP request goes to `api()` — a real API process — and no dispatcher runs here.
 */
export interface ProcessHarness extends TestAppWithFakes {
  setApi(api: ApiProcess): void;
}

export async function startHarness(): Promise<ProcessHarness> {
  const { fake, stop } = await startFakeProviders();
  const prisma = new PrismaService(new AppConfigService(new ConfigService()));
  await new WorkspacePlatformsRepository(prisma).seedDefaults();
  let url = '';
  const harness = {
    app: { getHttpServer: () => url },
    prisma,
    fake,
    fixtures: new Fixtures(prisma),
    queue: () => {
      throw new Error('fault tests read the database, not the queues');
    },
    intentsDispatched: () => Promise.resolve(),
    setApi: (api: ApiProcess) => {
      url = api.url;
    },
    close: async () => {
      await prisma.$disconnect();
      await stop();
    },
  };
  return harness as unknown as ProcessHarness;
}
