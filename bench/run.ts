/**
 * `npm run bench` — every benchmark in one run, one table of ratios, `bench/results.json`.
 *
 *   npm run bench                       # API (5 rounds × 5 s per route), provisioning 10,000, verification
 *   npm run bench -- --quick            # smoke run: 1 short round, small provisioning and verification
 *   npm run bench -- --only api         # one section: api | provision | verify (repeatable)
 *   npm run bench -- --rounds 7 --duration 10 --connections 50
 *   npm run bench -- --cpu-prof         # the API process writes a CPU profile of the API runs to .bench/
 *   npm run bench -- --only api --routes one --routes calendars   # some API routes only (list | one | calendars | busy-times)
 *
 * The long provisioning variant is `npm run bench:provision -- --members 1000000` (not part of this run).
 * Targets are checked and printed; the exit code is 0 unless a benchmark could not run (a missed target is a
 * finding, not a crash). Needs the built service (the script builds it first), PostgreSQL and Redis.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ApiBenchResult, benchApi } from './api';
import { root } from './lib/env';
import { benchProvision, type ProvisionResult } from './provision';
import { benchVerification, type VerificationResult } from './verification';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    members: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    routes: { type: 'string', multiple: true },
    out: { type: 'string', default: path.join(root, 'bench', 'results.json') },
  },
});
const quick = values.quick ?? false;
const sections = new Set(values.only?.length ? values.only : ['api', 'provision', 'verify']);
const int = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));

interface Row {
  benchmark: string;
  measured: string;
  target: string;
  ok: boolean | null;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const rows: Row[] = [];
  let api: ApiBenchResult | undefined;
  let provision: ProvisionResult | undefined;
  let verification: VerificationResult | undefined;

  if (sections.has('api')) {
    api = await benchApi({
      rounds: int(values.rounds, quick ? 1 : 5),
      durationSec: int(values.duration, quick ? 1 : 5),
      warmupSec: int(values.warmup, quick ? 1 : 2),
      connections: int(values.connections, 50),
      members: int(values.members, quick ? 100 : 2000),
      overheadSamples: quick ? 25 : 300,
      only: values.routes?.length ? values.routes : undefined,
      cpuProfile: values['cpu-prof']
        ? path.join(root, '.bench', `api-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`)
        : undefined,
    });
    rows.push({
      benchmark: 'GET /health (bare)',
      measured: `${api.health.rps.toFixed(0)} req/s, p50 ${api.health.p50} ms, p99 ${api.health.p99} ms`,
      target: '(reference)',
      ok: null,
    });
    for (const route of api.routes) {
      rows.push({
        benchmark: `GET ${route.path}`,
        measured: `${route.rps.toFixed(0)} req/s = ${(100 * route.ratio).toFixed(1)} % of /health, p50 ${route.p50} ms, p99 ${route.p99} ms${route.non2xx ? `, ${route.non2xx} non-2xx!` : ''}`,
        target: '≥ 30 %, p99 < 50 ms',
        ok: route.ratio >= 0.3 && route.p99 < 50 && route.non2xx === 0,
      });
    }
    const o = api.busyOverhead;
    rows.push({
      benchmark: 'busy times: service vs direct sandbox call',
      measured: `p50 ${o.serviceP50.toFixed(2)} ms vs ${o.directP50.toFixed(2)} ms → +${o.overheadP50.toFixed(2)} ms (same client: /health ${o.healthP50.toFixed(2)} ms, list ${o.listP50.toFixed(2)} ms)`,
      target: 'overhead ≤ 2 ms p50',
      ok: o.overheadP50 <= 2,
    });
    rows.push({
      benchmark: 'token mints (credential, subject, scope)',
      measured: `${api.tokenMints.mints} for the whole run`,
      target: `${api.tokenMints.expected} per token lifetime`,
      ok: api.tokenMints.mints === api.tokenMints.expected,
    });
  }

  if (sections.has('provision')) {
    provision = await benchProvision({ members: int(values.members, quick ? 500 : 10_000) });
    rows.push({
      benchmark: `provisioning ${provision.members} members vs raw INSERT…SELECT`,
      measured: `${(provision.wallMs / 1000).toFixed(2)} s vs ${(provision.rawMs / 1000).toFixed(2)} s = ${provision.ratio.toFixed(2)}×, worker RSS ${provision.workerRssMb.toFixed(0)} MB`,
      target: '≤ 2.0×',
      ok: provision.ratio <= 2.0,
    });
  }

  if (sections.has('verify')) {
    verification = await benchVerification({ members: quick ? 40 : 400, ratePerSecond: quick ? 20 : 20 });
    rows.push({
      benchmark: `member verification, ${verification.members} members`,
      measured: `${verification.achievedPerSecond.toFixed(1)}/s of ${verification.configuredPerSecond}/s = ${(100 * verification.fractionOfQuota).toFixed(0)} %, ${verification.failed} failed, sandbox quota ${verification.quota.limit} per ${verification.quota.windowSeconds} s per app: ${verification.throttled} refused (429)`,
      target: '≥ 90 % of quota, 0 failed',
      ok: verification.fractionOfQuota >= 0.9 && verification.failed === 0,
    });
  }

  const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => String(r[key]).length));
  const w = { benchmark: width('benchmark'), measured: width('measured'), target: width('target') };
  const line = (r: { benchmark: string; measured: string; target: string; ok: string }) =>
    `| ${r.benchmark.padEnd(w.benchmark)} | ${r.measured.padEnd(w.measured)} | ${r.target.padEnd(w.target)} | ${r.ok.padEnd(4)} |`;
  console.log(line({ benchmark: 'benchmark', measured: 'measured', target: 'target', ok: 'met' }));
  console.log(
    `|${'-'.repeat(w.benchmark + 2)}|${'-'.repeat(w.measured + 2)}|${'-'.repeat(w.target + 2)}|------|`,
  );
  for (const r of rows) console.log(line({ ...r, ok: r.ok === null ? '' : r.ok ? 'yes' : 'NO' }));

  writeFileSync(
    values.out,
    `${JSON.stringify({ startedAt, quick, machine: machine(), api, provision, verification, table: rows }, null, 2)}\n`,
  );
  console.log(`\nwritten: ${path.relative(process.cwd(), values.out)}`);
}

function machine() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os');
  return { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
