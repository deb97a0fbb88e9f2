/**
 * API benchmark: the hot authenticated routes against the bare `GET /health` of the same API process, in the same
 * run, A/B interleaved (ABBA order per round, after a warm-up), with autocannon; then busy times through the
 * service against the same provider call made directly against the sandbox (sequential, keep-alive), and the
 * sandbox's token-mint counter for the member.
 */
import { createSign } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Client } from 'pg';
import { generateApiKey } from '../src/auth/secrets';
import { type BenchEnv, median, nowMs, percentile, root, runNode, withBenchEnv } from './lib/env';

export interface ApiBenchOptions {
  rounds: number;
  durationSec: number;
  warmupSec: number;
  connections: number;
  /** Members of the organization (and delegated credentials in it), for the member counts of GET one. */
  members: number;
  /** Sequential requests per side for the busy-times overhead. */
  overheadSamples: number;
  /** Write a CPU profile of the API process over the throughput runs to this file. */
  cpuProfile?: string;
  /** Routes to run (all by default). */
  only?: string[];
}

export interface RouteRound {
  rps: number;
  p50: number;
  p99: number;
  healthRps: number;
  healthP99: number;
  ratio: number;
}

export interface RouteResult {
  route: string;
  path: string;
  rounds: RouteRound[];
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  healthRps: number;
  ratio: number;
  non2xx: number;
}

export interface ApiBenchResult {
  connections: number;
  durationSec: number;
  rounds: number;
  health: { rps: number; p50: number; p99: number };
  routes: RouteResult[];
  busyOverhead: {
    serviceP50: number;
    directP50: number;
    overheadP50: number;
    /** The same sequential client against `GET /health` and the admin's `GET …/delegation-credentials`. */
    healthP50: number;
    listP50: number;
    samples: number;
  };
  tokenMints: { subject: string; mints: number; expected: number };
}

const DOMAIN = 'bench.example';
const LIST = '/v2/organizations/{orgId}/delegation-credentials';
const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/calendar';

interface World {
  api: string;
  sandbox: string;
  orgId: number;
  dcId: string;
  adminKey: string;
  memberKey: string;
  memberEmail: string;
  memberCredentialId: number;
  serviceAccount: { client_email: string; private_key: string; client_id: string };
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Organization, admin, `members` accepted members with delegated credentials, one enabled Google credential. */
async function seed(
  env: BenchEnv,
  db: Client,
  api: string,
  sandbox: string,
  members: number,
): Promise<World> {
  await runNode([`${root}/dist/cli.js`, 'seed'], env.env);
  const {
    rows: [org],
  } = await db.query<{ id: number }>(
    `INSERT INTO "Team" (name, slug, "isOrganization", "adminApiEnabled", "updatedAt")
     VALUES ('bench', 'bench', true, true, now()) RETURNING id`,
  );
  const insertUser = async (email: string, role: 'ADMIN' | 'MEMBER') => {
    const {
      rows: [user],
    } = await db.query<{ id: number }>(
      `INSERT INTO "User" (email, name, "emailVerified", "updatedAt") VALUES ($1, $1, now(), now()) RETURNING id`,
      [email],
    );
    await db.query(
      `INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt") VALUES ($1, $2, $3, true, now())`,
      [user.id, org.id, role],
    );
    return user.id;
  };
  const adminId = await insertUser(`admin@${DOMAIN}`, 'ADMIN');
  const memberEmail = `busy@${DOMAIN}`;
  const memberId = await insertUser(memberEmail, 'MEMBER');
  await db.query(
    `WITH u AS (
       INSERT INTO "User" (email, "updatedAt")
       SELECT 'member' || g || '@' || $2, now() FROM generate_series(1, $1::int) g RETURNING id)
     INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
     SELECT id, $3, 'MEMBER', true, now() FROM u`,
    [Math.max(0, members - 2), DOMAIN, org.id],
  );
  const apiKey = async (userId: number, teamId: number | null) => {
    const { key, hashedKey } = generateApiKey('cal_');
    await db.query(
      `INSERT INTO "ApiKey" (id, "hashedKey", "userId", "teamId") VALUES (gen_random_uuid(), $1, $2, $3)`,
      [hashedKey, userId, teamId],
    );
    return key;
  };
  const adminKey = await apiKey(adminId, org.id);
  const memberKey = await apiKey(memberId, null);

  const serviceAccount = await json<World['serviceAccount']>(`${sandbox}/__sandbox/google/service-accounts`, {
    method: 'POST',
    body: '{}',
  });
  await json(`${sandbox}/__sandbox/google/users`, {
    method: 'POST',
    body: JSON.stringify({ emails: [`admin@${DOMAIN}`, memberEmail] }),
  });
  await json(`${sandbox}/__sandbox/google/delegations`, {
    method: 'POST',
    body: JSON.stringify({ domain: DOMAIN, clientId: serviceAccount.client_id }),
  });
  const auth = { Authorization: `Bearer ${adminKey}` };
  const base = `${api}/v2/organizations/${org.id}/delegation-credentials`;
  const created = await json<{ data: { id: string } }>(base, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      workspacePlatformSlug: 'google',
      domain: DOMAIN,
      serviceAccountKey: serviceAccount,
    }),
  });
  const dcId = created.data.id;
  await json(`${base}/${dcId}`, { method: 'PATCH', headers: auth, body: JSON.stringify({ enabled: true }) });

  // What provisioning and verification would have left (no worker runs here): every other member delegated,
  // most connected, some pending, a few failing.
  await db.query(
    `INSERT INTO "Credential" (type, "appId", "userId", "delegationCredentialId", "syncState", "updatedAt")
     SELECT 'google_calendar', 'google-calendar', m."userId", $2::uuid,
            (CASE WHEN m."userId" % 10 = 0 THEN 'FAILING' WHEN m."userId" % 5 = 0 THEN 'PENDING' ELSE 'CONNECTED' END)::"MemberSyncState",
            now()
     FROM "Membership" m WHERE m."teamId" = $1 AND m."userId" <> $3`,
    [org.id, dcId, memberId],
  );
  await db.query('ANALYZE');

  const day = '2026-06-10';
  for (const [start, end] of [
    ['09:00', '10:00'],
    ['12:30', '13:00'],
    ['15:00', '16:30'],
  ]) {
    await json(`${sandbox}/__sandbox/busy`, {
      method: 'POST',
      body: JSON.stringify({
        platform: 'google',
        email: memberEmail,
        start: `${day}T${start}:00Z`,
        end: `${day}T${end}:00Z`,
      }),
    });
  }
  // Token mints are counted from here: the member's first request provisions their delegated credential on the
  // spot and mints their token; every later request of the run must reuse it.
  await fetch(`${sandbox}/__sandbox/counters`, { method: 'DELETE' });
  await json(`${api}/v2/calendars`, { headers: { Authorization: `Bearer ${memberKey}` } });
  const {
    rows: [credential],
  } = await db.query<{ id: number }>(
    `SELECT id FROM "Credential" WHERE "userId" = $1 AND "delegationCredentialId" = $2`,
    [memberId, dcId],
  );
  return {
    api,
    sandbox,
    orgId: org.id,
    dcId,
    adminKey,
    memberKey,
    memberEmail,
    memberCredentialId: credential.id,
    serviceAccount,
  };
}

interface Target {
  route: string;
  /** The route as documented (ids as placeholders). */
  label: string;
  path: string;
  headers: Record<string, string>;
}

function targets(world: World): Target[] {
  const admin = { Authorization: `Bearer ${world.adminKey}` };
  const member = { Authorization: `Bearer ${world.memberKey}` };
  const org = `/v2/organizations/${world.orgId}/delegation-credentials`;
  const busy =
    `/v2/calendars/busy-times?timeZone=UTC&dateFrom=2026-06-10&dateTo=2026-06-10` +
    `&calendarsToLoad[0][credentialId]=${world.memberCredentialId}` +
    `&calendarsToLoad[0][externalId]=${encodeURIComponent(world.memberEmail)}`;
  return [
    { route: 'list', label: LIST, path: org, headers: admin },
    { route: 'one', label: `${LIST}/{id}`, path: `${org}/${world.dcId}`, headers: admin },
    { route: 'calendars', label: '/v2/calendars', path: '/v2/calendars', headers: member },
    { route: 'busy-times', label: '/v2/calendars/busy-times', path: busy, headers: member },
  ];
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function cannon(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const result = await autocannon({ url, headers, connections, duration: seconds });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  } satisfies Run;
}

/** Autocannon runs of each route against /health, interleaved ABBA, after a warm-up of both. */
async function throughput(world: World, options: ApiBenchOptions) {
  const health = `${world.api}/health`;
  const results: RouteResult[] = [];
  const healthRuns: Run[] = [];
  for (const target of targets(world)) {
    if (options.only && !options.only.includes(target.route)) continue;
    const url = `${world.api}${target.path}`;
    await cannon(health, {}, options.warmupSec, options.connections);
    await cannon(url, target.headers, options.warmupSec, options.connections);
    const rounds: RouteRound[] = [];
    let non2xx = 0;
    for (let round = 0; round < options.rounds; round++) {
      const runHealth = () => cannon(health, {}, options.durationSec, options.connections);
      const runRoute = () => cannon(url, target.headers, options.durationSec, options.connections);
      let h: Run, r: Run;
      if (round % 2 === 0) {
        h = await runHealth();
        r = await runRoute();
      } else {
        r = await runRoute();
        h = await runHealth();
      }
      healthRuns.push(h);
      non2xx += r.non2xx;
      rounds.push({
        rps: r.rps,
        p50: r.p50,
        p99: r.p99,
        healthRps: h.rps,
        healthP99: h.p99,
        ratio: r.rps / h.rps,
      });
      console.error(
        `  ${target.route.padEnd(10)} round ${round + 1}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms | health ${h.rps.toFixed(0)} req/s → ${((100 * r.rps) / h.rps).toFixed(1)} %`,
      );
    }
    results.push({
      route: target.route,
      path: target.label,
      rounds,
      rps: median(rounds.map((r) => r.rps)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      healthRps: median(rounds.map((r) => r.healthRps)),
      ratio: median(rounds.map((r) => r.ratio)),
      non2xx,
    });
  }
  return {
    health: {
      rps: median(healthRuns.map((h) => h.rps)),
      p50: median(healthRuns.map((h) => h.p50)),
      p99: median(healthRuns.map((h) => h.p99)),
    },
    routes: results,
  };
}

/** A Google access token for `subject`, minted by the sandbox from a JWT signed with the service account key. */
async function mintGoogleToken(world: World, subject: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({
    iss: world.serviceAccount.client_email,
    sub: subject,
    scope: GOOGLE_SCOPE,
    aud: 'https://oauth2.googleapis.com/token',
    iat: now,
    exp: now + 3600,
  })}`;
  const signature = createSign('RSA-SHA256')
    .update(unsigned)
    .sign(world.serviceAccount.private_key, 'base64url');
  const res = await fetch(`${world.sandbox}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: `${unsigned}.${signature}`,
    }).toString(),
  });
  if (!res.ok) throw new Error(`token mint failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Busy times through the service (HTTP → auth → delegation resolution → googleapis → sandbox → merge → answer)
 * against the same freeBusy call made directly to the sandbox with a token minted the same way; sequential
 * requests on keep-alive connections, interleaved in blocks of 25.
 */
async function busyOverhead(world: World, samples: number) {
  const busy = targets(world).find((t) => t.route === 'busy-times')!;
  const token = await mintGoogleToken(world, world.memberEmail);
  const direct = async () => {
    const res = await fetch(`${world.sandbox}/calendar/v3/freeBusy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        timeMin: '2026-06-10T00:00:00.000Z',
        timeMax: '2026-06-11T00:00:00.000Z',
        items: [{ id: world.memberEmail }],
      }),
    });
    if (!res.ok) throw new Error(`direct freeBusy: ${res.status}`);
    await res.arrayBuffer();
  };
  const service = async () => {
    const res = await fetch(`${world.api}${busy.path}`, { headers: busy.headers });
    if (!res.ok) throw new Error(`busy-times: ${res.status}`);
    await res.arrayBuffer();
  };
  const timed = async (fn: () => Promise<void>, into: number[]) => {
    const started = nowMs();
    await fn();
    into.push(nowMs() - started);
  };
  for (let i = 0; i < 50; i++) {
    await direct();
    await service();
  }
  // Context for the difference: the same sequential client against the API's bare route and an authenticated
  // route without a provider call (the hop to the API and the request pipeline, without the provider hop).
  const plain =
    (url: string, headers: Record<string, string> = {}) =>
    async () => {
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
      await res.arrayBuffer();
    };
  const health = plain(`${world.api}/health`);
  const list = plain(`${world.api}/v2/organizations/${world.orgId}/delegation-credentials`, {
    Authorization: `Bearer ${world.adminKey}`,
  });
  const serviceMs: number[] = [];
  const directMs: number[] = [];
  const healthMs: number[] = [];
  const listMs: number[] = [];
  for (let done = 0; done < samples; done += 25) {
    for (let i = 0; i < 25; i++) await timed(service, serviceMs);
    for (let i = 0; i < 25; i++) await timed(direct, directMs);
    for (let i = 0; i < 25; i++) await timed(health, healthMs);
    for (let i = 0; i < 25; i++) await timed(list, listMs);
  }
  const serviceP50 = percentile(serviceMs, 50);
  const directP50 = percentile(directMs, 50);
  return {
    serviceP50,
    directP50,
    overheadP50: serviceP50 - directP50,
    healthP50: percentile(healthMs, 50),
    listP50: percentile(listMs, 50),
    samples: serviceMs.length,
  };
}

export async function benchApi(options: ApiBenchOptions): Promise<ApiBenchResult> {
  return withBenchEnv('api', {}, async (env) => {
    const sandbox = await env.startSandbox();
    if (options.cpuProfile) mkdirSync(path.dirname(options.cpuProfile), { recursive: true });
    const api = await env.startApi(
      {
        // The benchmark measures the service's own cost per request: the per-user Google quota the provider limiter
        // keeps (600/min ≈ 9 req/s for the one benchmark member) would cap calendars and busy times at ~9 req/s.
        PROVIDER_GOOGLE_USER_REQUESTS: String(1_000_000),
        ...(options.cpuProfile ? { BENCH_CPU_PROFILE: options.cpuProfile } : {}),
      },
      options.cpuProfile ? ['-r', path.join(__dirname, 'lib', 'cpu-profile.cjs')] : [],
    );
    const db = await env.db();
    try {
      const world = await seed(env, db, api, sandbox, options.members);
      console.error(
        `api: seeded ${options.members} members; ${options.rounds} rounds of ${options.durationSec} s`,
      );
      const { health, routes } = await throughput(world, options);
      if (options.cpuProfile) await env.signalApi('SIGWINCH', options.cpuProfile);
      const counters = await json<{ tokenMints: Record<string, number> }>(`${sandbox}/__sandbox/counters`);
      const mints = counters.tokenMints[world.memberEmail] ?? 0;
      const overhead = await busyOverhead(world, options.overheadSamples);
      return {
        connections: options.connections,
        durationSec: options.durationSec,
        rounds: options.rounds,
        health,
        routes,
        busyOverhead: overhead,
        // Every request of the run (calendar list and busy times of one member) used one (credential, subject,
        // scope): one token lifetime (1 h) → one mint.
        tokenMints: { subject: world.memberEmail, mints, expected: 1 },
      };
    } finally {
      await db.end();
    }
  });
}
