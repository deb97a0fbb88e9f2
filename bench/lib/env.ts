/**
 * What every benchmark needs: a fresh database migrated with the operators' script, free ports, the built service's
 * processes (API, worker, provider sandbox) started with their own environment and always stopped, Redis keys of
 * the run removed. Nothing here is a fake: the processes are `dist/main.js`, `dist/worker.js`, `dist/sandbox/main.js`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { deleteRedisKeys } from '../../test/utils/redis';

export const root = path.join(__dirname, '..', '..');
export const adminUrl =
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

/**
 * One benchmark's world: its own database (created, migrated, dropped), Redis key prefix (removed) and child
 * processes (killed). `env` is what the service's processes get.
 */
export class BenchEnv {
  readonly dbName: string;
  readonly dbUrl: string;
  readonly queuePrefix: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly children: ChildProcess[] = [];
  private admin?: Client;

  constructor(label: string, extraEnv: Record<string, string> = {}) {
    this.dbName = `delegation_bench_${label}_${process.pid}`;
    const url = new URL(adminUrl);
    url.pathname = `/${this.dbName}`;
    this.dbUrl = url.toString();
    this.queuePrefix = `bench-${label}-${process.pid}`;
    this.env = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: this.dbUrl,
      QUEUE_PREFIX: this.queuePrefix,
      SERVICE_ACCOUNT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'error',
      DOCS_ENABLED: 'false',
      // Issue 14's rate limits (once merged) would cap a load test: off for the benchmark.
      RATE_LIMIT_ENABLED: 'false',
      ...extraEnv,
    };
    delete this.env.SERVICE_ACCOUNT_ENCRYPTION_KEYS;
  }

  async setUp(): Promise<void> {
    this.admin = new Client({ connectionString: adminUrl });
    await this.admin.connect();
    await this.admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    await this.admin.query(`CREATE DATABASE "${this.dbName}"`);
    await runNode([path.join(root, 'scripts/prisma-wasm.mjs'), 'deploy'], this.env);
  }

  async db(): Promise<Client> {
    const client = new Client({ connectionString: this.dbUrl });
    await client.connect();
    return client;
  }

  /** Starts `dist/<script>` and waits until `ready()` resolves true (polled). */
  async start(
    script: string,
    env: Record<string, string>,
    ready: () => Promise<boolean>,
    extraArgs: string[] = [],
  ): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...extraArgs, path.join(root, 'dist', script)], {
      env: { ...this.env, ...env },
      // stdout (banners, access logs) is not the benchmark's output; errors still show.
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.children.push(child);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      if (await ready().catch(() => false)) return child;
      if (Date.now() > deadline) throw new Error(`${script} did not become ready`);
      await sleep(100);
    }
  }

  /** The provider sandbox (`dist/sandbox/main.js`) on a free port; resolves to its origin. */
  async startSandbox(): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await this.start('sandbox/main.js', { SANDBOX_PORT: String(port) }, async () => {
      return (await fetch(`${url}/__sandbox`)).ok;
    });
    Object.assign(this.env, {
      GOOGLE_API_BASE_URL: url,
      MICROSOFT_LOGIN_BASE_URL: url,
      MICROSOFT_GRAPH_BASE_URL: url,
    });
    return url;
  }

  /** The API (`dist/main.js`) on a free port; resolves to its origin. */
  async startApi(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await this.start(
      'main.js',
      { PORT: String(port), ...env },
      async () => (await fetch(`${url}/health`)).ok,
      nodeArgs,
    );
    return url;
  }

  /** Sends `signal` to the API process and waits until `file` exists (the CPU profile preload's answer). */
  async signalApi(signal: NodeJS.Signals, file: string): Promise<void> {
    const main = path.join(root, 'dist', 'main.js');
    const api = this.children.find((c) => c.spawnargs.includes(main));
    api?.kill(signal);
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100);
    if (!existsSync(file)) throw new Error(`no CPU profile written to ${file}`);
    console.error(`CPU profile: ${path.relative(process.cwd(), file)}`);
  }

  /** A worker (`dist/worker.js`); ready once it has had a moment to connect. */
  async startWorker(env: Record<string, string> = {}): Promise<ChildProcess> {
    const started = Date.now();
    return this.start('worker.js', env, () => Promise.resolve(Date.now() - started > 1500));
  }

  /** Stops one child (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.children.map((child) => this.stop(child)));
    await deleteRedisKeys(`${this.queuePrefix}:*`).catch(() => undefined);
    if (this.admin) {
      await this.admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
      await this.admin.end();
    }
  }
}

/** Runs `body` inside a fresh BenchEnv, always tearing it down. */
export async function withBenchEnv<T>(
  label: string,
  extraEnv: Record<string, string>,
  body: (env: BenchEnv) => Promise<T>,
): Promise<T> {
  const env = new BenchEnv(label, extraEnv);
  try {
    await env.setUp();
    return await body(env);
  } finally {
    await env.tearDown();
  }
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
