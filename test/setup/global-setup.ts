import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Runs once before all test files: gives the run a fresh PostgreSQL database of its own, migrated with the same
 * offline migration script operators use, and a Redis key prefix of its own. Environment variables set here are
 * inherited by the test workers.
 *
 * TEST_DATABASE_ADMIN_URL: a database to connect to for CREATE/DROP DATABASE (default: local postgres).
 * TEST_DATABASE_NAME: the database to (re)create (default delegation_test).
 */
export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = process.env.TEST_DATABASE_NAME ?? 'delegation_test';
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`TEST_DATABASE_NAME must be lowercase letters, digits or _`);

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();

  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'prisma-wasm.mjs'), 'deploy'], {
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  process.env.NODE_ENV = 'test';
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  process.env.QUEUE_PREFIX = `test-${process.pid}-${Date.now()}`;
  process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  delete process.env.SERVICE_ACCOUNT_ENCRYPTION_KEYS;
  process.env.API_KEY_PREFIX = 'cal_';
  process.env.LOG_LEVEL ??= 'error';
  // No periodic health sweep unless a file turns it on: files share the database, and a sweep would check every
  // other file's credentials against this file's provider fakes.
  process.env.HEALTH_CHECK_INTERVAL_SECONDS ??= '0';
  // No principal cache unless a file turns it on (test/auth-cache.e2e-spec.ts, test/api-key-expiry.e2e-spec.ts):
  // fixtures change keys, users and memberships straight in the database, and such out-of-band changes reach the
  // cache through NOTIFY a few milliseconds after their commit — a race with the test's very next request.
  process.env.AUTH_CACHE_TTL_SECONDS ??= '0';
  // Same for the read caches (member counts, calendar context): test/read-cache.e2e-spec.ts turns them on.
  process.env.READ_CACHE_TTL_SECONDS ??= '0';
  // Rate limits stay on (every response carries the headers) but never bite ordinary test files, which send many
  // requests with one key or from one IP; test/rate-limit.e2e-spec.ts sets small ones.
  process.env.RATE_LIMIT_DEFAULT_LIMIT_API_KEY ??= '1000000';
  process.env.RATE_LIMIT_DEFAULT_LIMIT_OAUTH_CLIENT ??= '1000000';
  process.env.RATE_LIMIT_DEFAULT_LIMIT ??= '1000000';
  process.env.RATE_LIMIT_VERIFY_LIMIT ??= '1000000';
  process.env.RATE_LIMIT_BUSY_TIMES_LIMIT ??= '1000000';
  // Same for reconciliation: it would repair every other file's credentials (test/reconciliation turns it on).
  process.env.RECONCILE_INTERVAL_SECONDS ??= '0';
  // What the test apps answer and log, for the secret scan after all suites (global teardown).
  process.env.TEST_CAPTURE_DIR = mkdtempSync(path.join(tmpdir(), 'delegation-test-capture-'));
}
