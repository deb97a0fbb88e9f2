/**
 * Provisioning benchmark (`npm run bench:provision -- [--members N]`).
 *
 * Seeds N accepted members of one organization on one domain in a fresh database, enables a Google Workspace
 * delegation credential against the local provider fakes, and measures the wall time until every member has a
 * delegated credential, a selected calendar and a destination calendar — done by a real worker process
 * (dist/worker.js). It compares that with a raw `INSERT … SELECT` of the same rows into copies of the same tables
 * (same indexes) on the same database: the physical limit. Prints both, their ratio, and the worker's peak RSS.
 */
import { Client } from 'pg';
import { parseArgs } from 'node:util';
import { startBenchApp } from './bench-app';
import { nowMs, peakRssMb, sleep, withBenchEnv } from './lib/env';

export interface ProvisionResult {
  members: number;
  wallMs: number;
  rawMs: number;
  ratio: number;
  enableMs: number;
  workerRssMb: number;
}

export async function benchProvision(options: { members: number }): Promise<ProvisionResult> {
  const MEMBERS = options.members;
  return withBenchEnv('provision', {}, async (env) => {
    // The in-process app (setup and the enable call) reads process.env like the service does.
    Object.assign(process.env, {
      DATABASE_URL: env.dbUrl,
      QUEUE_PREFIX: env.queuePrefix,
      SERVICE_ACCOUNT_ENCRYPTION_KEY: env.env.SERVICE_ACCOUNT_ENCRYPTION_KEY,
      LOG_LEVEL: 'error',
    });
    const app = await startBenchApp();
    const db = new Client({ connectionString: env.dbUrl });
    await db.connect();
    try {
      const { credentialId, orgId, enable } = await app.prepare(MEMBERS);
      console.error(`provision: seeded ${MEMBERS} members`);
      // Twice, keeping the second (warm) time, so neither side profits from a cache the other one warmed.
      await rawInsertSelect(db, orgId, credentialId);
      const rawMs = await rawInsertSelect(db, orgId, credentialId);

      const worker = await env.startWorker(process.env as Record<string, string>);
      const started = nowMs();
      await enable();
      const enableMs = nowMs() - started;
      for (;;) {
        const { rows } = await db.query<{ c: string; s: string; d: string }>(
          `SELECT (SELECT count(*) FROM "Credential" WHERE "delegationCredentialId" = $1) AS c,
                  (SELECT count(*) FROM "SelectedCalendar" WHERE "delegationCredentialId" = $1 AND "credentialId" IS NOT NULL) AS s,
                  (SELECT count(*) FROM "DestinationCalendar" WHERE "delegationCredentialId" = $1 AND "credentialId" IS NOT NULL) AS d`,
          [credentialId],
        );
        if (process.env.BENCH_TRACE) console.error(nowMs() - started, rows[0]);
        if ([rows[0].c, rows[0].s, rows[0].d].every((n) => Number(n) === MEMBERS)) break;
        // The three counts scan up to MEMBERS rows each: poll less often on big runs, or the polling itself becomes
        // a competing load (20 ms at 10,000 members, 1 s at 1,000,000).
        await sleep(Math.min(1000, Math.max(20, MEMBERS / 1000)));
      }
      const wallMs = nowMs() - started;
      const workerRssMb = peakRssMb(worker.pid!);
      await env.stop(worker, 'SIGKILL');
      return { members: MEMBERS, wallMs, rawMs, ratio: wallMs / rawMs, enableMs, workerRssMb };
    } finally {
      await db.end();
      await app.close();
    }
  });
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

if (require.main === module) {
  const { values } = parseArgs({ options: { members: { type: 'string', default: '10000' } } });
  const members = Number(values.members);
  if (!Number.isInteger(members) || members < 1) throw new Error('--members must be a positive integer');
  benchProvision({ members }).then(
    (r) => {
      console.log(`members:              ${r.members}`);
      console.log(`provisioning (wall):  ${(r.wallMs / 1000).toFixed(2)} s`);
      console.log(`raw INSERT…SELECT:    ${(r.rawMs / 1000).toFixed(2)} s`);
      console.log(`ratio:                ${r.ratio.toFixed(2)}`);
      console.log(`  of which the enable request (provider check): ${r.enableMs.toFixed(0)} ms`);
      console.log(`worker peak RSS:      ${r.workerRssMb.toFixed(0)} MB`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
