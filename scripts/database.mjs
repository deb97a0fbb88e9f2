// Creating the database a DATABASE_URL names, when the server is there but the database is not yet.
// Used by `npm run db:migrate` (scripts/prisma-wasm.mjs) and `npm run demo`.
import pg from 'pg';

/** `user@host:port/db` of a PostgreSQL URL, without the password: what messages may show. */
export function describeDatabaseUrl(url) {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${user}${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Makes sure the database of `url` exists: connects to it, and when PostgreSQL answers 3D000 (invalid_catalog_name)
 * connects to the server's `postgres` database and runs CREATE DATABASE. Resolves `true` when it created it.
 * Rejects with a one-line message naming host and port (never the password) when the server cannot be reached.
 */
export async function ensureDatabase(url, { connectTimeoutMs = 5000 } = {}) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL names no database (${describeDatabaseUrl(url)})`);
  const tryConnect = async (connectionString) => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  try {
    await (await tryConnect(url)).end();
    return false;
  } catch (error) {
    if (error?.code !== '3D000') throw new Error(unreachableMessage(url, error));
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  let client;
  try {
    client = await tryConnect(admin.toString());
  } catch (error) {
    throw new Error(unreachableMessage(admin.toString(), error));
  }
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (error) {
    if (error?.code !== '42P04') throw new Error(`could not create database "${name}": ${error.message}`);
  } finally {
    await client.end();
  }
  return true;
}

function unreachableMessage(url, error) {
  const reason =
    error?.code && !String(error.message).includes(error.code)
      ? `${error.code} ${error.message}`
      : error?.message;
  return `cannot reach PostgreSQL at ${describeDatabaseUrl(url)}: ${reason ?? error}`;
}
