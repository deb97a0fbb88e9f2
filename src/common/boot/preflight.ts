import { ConfigService } from '@nestjs/config';
import { config as loadDotenv } from 'dotenv';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { AppConfigService } from '../../config/app-config.service';
import { ConfigurationError } from '../../config/env.validation';
import type { RedisTarget } from '../../redis/redis-target';

/** A dependency the process cannot start without is unreachable or unusable; the message says which and where. */
export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}

export interface PreflightNeeds {
  /** Check PostgreSQL (connect, the database exists and is migrated). Default true. */
  database?: boolean;
  /** Check Redis (connect + PING). Default true. */
  redis?: boolean;
  /** Give up on a dependency after this many milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** `host:port/db` (PostgreSQL) or `host:port` (Redis) of a URL: where we tried, never a password. */
export function describeEndpoint(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}${u.protocol.startsWith('postgres') ? u.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

const reasonOf = (error: unknown): string => {
  const e = error as { code?: string; message?: string };
  const message = e?.message || String(error);
  return e?.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
};

/** Connects to PostgreSQL once, checks that the database exists and carries Prisma's migration table. */
export async function checkDatabase(url: string, timeoutMs = 5000): Promise<void> {
  const where = describeEndpoint(url, 5432);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') {
      throw new BootError(
        `PostgreSQL at ${where} (DATABASE_URL): the database does not exist. ` +
          'Create and migrate it with `npm run db:migrate`.',
      );
    }
    throw new BootError(`Cannot reach PostgreSQL at ${where} (DATABASE_URL): ${reasonOf(error)}`);
  }
  try {
    const { rows } = await client.query<{ table: string | null }>(
      `SELECT to_regclass('_prisma_migrations')::text AS "table"`,
    );
    if (!rows[0]?.table) {
      throw new BootError(
        `PostgreSQL at ${where} (DATABASE_URL): the database has no schema yet. Run \`npm run db:migrate\`.`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Connects to Redis once (no retries; with Sentinel: each sentinel asked once for the master) and sends PING.
 * BootError naming where (`127.0.0.1:6379 (REDIS_URL)`, or the master and sentinels (REDIS_SENTINELS)).
 */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const redis = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  // connect() rejects with a generic "Connection is closed."; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new BootError(
      `Cannot reach Redis at ${target.where} (${target.source}): ${reasonOf(socketError ?? error)}`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs before the application is created: validates the configuration (ConfigurationError) and checks that
 * PostgreSQL and Redis answer (BootError naming the host), so a process never starts half-connected.
 */
export async function preflight(needs: PreflightNeeds = {}): Promise<void> {
  // Outside Nest on purpose: an application context here would reconfigure Nest's global logger for the process.
  // `.env` fills what the environment leaves unset, exactly as ConfigModule.forRoot() does when the app starts.
  loadDotenv({ quiet: true });
  const { databaseUrl, redis } = new AppConfigService(new ConfigService());
  const timeoutMs = needs.timeoutMs ?? 5000;
  const checks: Promise<void>[] = [];
  if (needs.database ?? true) checks.push(checkDatabase(databaseUrl, timeoutMs));
  if (needs.redis ?? true) checks.push(checkRedis(redis, timeoutMs));
  const failures = (await Promise.allSettled(checks)).flatMap((r) =>
    r.status === 'rejected' ? [r.reason as unknown] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new BootError(failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n'));
  }
}

/**
 * The one way entrypoints end on a startup failure: a configuration or boot error as one clear block on stderr,
 * without a stack trace (it would only point into our own code), then exit code 1.
 */
export function exitOnStartupError(processName: string): (error: unknown) => never {
  return (error: unknown): never => {
    if (error instanceof ConfigurationError) {
      console.error(
        `${processName} cannot start: invalid configuration\n  - ${error.problems.join('\n  - ')}\n` +
          'Set these in the environment or in .env (every variable is described in .env.example).',
      );
    } else if (error instanceof BootError) {
      console.error(`${processName} cannot start:\n  ${error.message.split('\n').join('\n  ')}`);
    } else {
      console.error(`${processName} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  };
}
