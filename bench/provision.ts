/**
 * Provisioning benchmark (`npm run bench:provision -- [--members N]`).
 *
 * Seeds N accepted members of one organization on one domain in a fresh database, enables a Google Workspace
 * delegation credential against the local provider fakes, and measures the wall time until every member has a
 * delegated credential, a selected calendar and a destination calendar — done by a real worker process
 * (dist/worker.js). It compares that with a raw `INSERT … SELECT` of the same rows into copies of the same tables
 * (same indexes) on the same database: the physical limit. Prints both, their ratio, and the worker's peak RSS.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { deleteRedisKeys } from '../test/utils/redis';
import { startBenchApp } from './bench-app';

const root = path.join(__dirname, '..');
const { values } = parseArgs({ options: { members: { type: 'string', default: '10000' } } });
const MEMBERS = Number(values.members);
if (!Number.isInteger(MEMBERS) || MEMBERS < 1) throw new Error('--members must be a positive integer');

const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `delegation_bench_${process.pid}`;
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  Object.assign(process.env, {
    DATABASE_URL: dbUrl.toString(),
    QUEUE_PREFIX: `bench-${process.pid}`,
    SERVICE_ACCOUNT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'error',
  });
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    await run(process.execPath, [path.join(root, 'scripts/prisma-wasm.mjs'), 'deploy']);

    const app = await startBenchApp();
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const { orgId, credentialId, enable } = await app.prepare(MEMBERS);
    console.log(`seeded ${MEMBERS} members`);
    // Twice, keeping the second (warm) time, so neither side profits from a cache the other one warmed.
    await rawInsertSelect(db, orgId, credentialId);
    const rawMs = await rawInsertSelect(db, orgId, credentialId);

    worker = spawn(process.execPath, [path.join(root, 'dist/worker.js')], {
      env: process.env,
      stdio: 'inherit',
    });
    await sleep(1500); // let the worker connect before the clock starts

    const started = process.hrtime.bigint();
    await enable();
    const enableMs = Number(process.hrtime.bigint() - started) / 1e6;
    for (;;) {
      const { rows } = await db.query<{ c: string; s: string; d: string }>(
        `SELECT (SELECT count(*) FROM "Credential" WHERE "delegationCredentialId" = $1) AS c,
                (SELECT count(*) FROM "SelectedCalendar" WHERE "delegationCredentialId" = $1 AND "credentialId" IS NOT NULL) AS s,
                (SELECT count(*) FROM "DestinationCalendar" WHERE "delegationCredentialId" = $1 AND "credentialId" IS NOT NULL) AS d`,
        [credentialId],
      );
      if (process.env.BENCH_TRACE) console.log(Number(process.hrtime.bigint() - started) / 1e6, rows[0]);
      if ([rows[0].c, rows[0].s, rows[0].d].every((n) => Number(n) === MEMBERS)) break;
      await sleep(20);
    }
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const rssMb = peakRssMb(worker.pid!);

    await db.end();
    await app.close();

    const ratio = wallMs / rawMs;
    console.log(`members:              ${MEMBERS}`);
    console.log(`provisioning (wall):  ${(wallMs / 1000).toFixed(2)} s`);
    console.log(`raw INSERT…SELECT:    ${(rawMs / 1000).toFixed(2)} s`);
    console.log(`ratio:                ${ratio.toFixed(2)}`);
    console.log(`  of which the enable request (provider check): ${enableMs.toFixed(0)} ms`);
    console.log(`worker peak RSS:      ${rssMb.toFixed(0)} MB`);
  } finally {
    worker?.kill('SIGKILL');
    await deleteRedisKeys(`bench-${process.pid}:*`); // its queues, e.g. the verification backlog
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The physical limit: the same rows (a credential, a selected calendar and a destination calendar per member) written
 * by three plain `INSERT … SELECT` statements into the same tables — same indexes, same foreign keys — in one
 * transaction that is rolled back (and vacuumed), so the measured provisioning starts from the same empty state.
 */
async function rawInsertSelect(db: Client, orgId: number, credentialId: string): Promise<number> {
  const started = process.hrtime.bigint();
  await db.query('BEGIN');
  await db.query(
    `INSERT INTO "Credential" (type, "appId", "userId", "delegationCredentialId", "syncState")
     SELECT 'google_calendar', 'google-calendar', u.id, $2, 'PENDING'
     FROM "Membership" m JOIN "User" u ON u.id = m."userId" WHERE m."teamId" = $1 AND m.accepted`,
    [orgId, credentialId],
  );
  await db.query(
    `INSERT INTO "SelectedCalendar" ("userId", integration, "externalId", "credentialId", "delegationCredentialId")
     SELECT c."userId", 'google_calendar', u.email, c.id, $1 FROM "Credential" c JOIN "User" u ON u.id = c."userId"
     WHERE c."delegationCredentialId" = $1`,
    [credentialId],
  );
  await db.query(
    `INSERT INTO "DestinationCalendar" ("userId", integration, "externalId", "primaryEmail", "credentialId", "delegationCredentialId")
     SELECT c."userId", 'google_calendar', u.email, u.email, c.id, $1 FROM "Credential" c JOIN "User" u ON u.id = c."userId"
     WHERE c."delegationCredentialId" = $1`,
    [credentialId],
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  await db.query('ROLLBACK');
  // Give the measured run no head start: reclaim the rolled-back rows and truncate the pages they extended.
  await db.query('VACUUM "Credential", "SelectedCalendar", "DestinationCalendar"');
  return elapsed;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
