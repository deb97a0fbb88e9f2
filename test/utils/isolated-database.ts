import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A database of this test file's own (`<TEST_DATABASE_NAME>_<suffix>`), migrated like the run's, for files whose
 * background jobs act on every row — the periodic health sweep checks every enabled credential, and must not check
 * the credentials other files left behind against this file's provider fakes. Sets DATABASE_URL for this file
 * (call before creating the app and the worker); `drop()` removes it.
 */
export async function createIsolatedDatabase(
  suffix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `${process.env.TEST_DATABASE_NAME ?? 'delegation_test'}_${suffix}`;
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`database name ${name} must be lowercase letters, digits or _`);
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'prisma-wasm.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.DATABASE_URL = url.toString();
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Sets environment variables and returns a function restoring the previous values. */
export function setEnv(values: Record<string, string>): () => void {
  const previous = Object.keys(values).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
