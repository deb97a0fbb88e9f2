import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { describeEndpoint } from '../src/common/boot/preflight';
import {
  DEMO_DIR,
  demoDatabaseUrl,
  freePort,
  providePostgres,
  provideRedis,
  recreateDatabase,
  ROOT,
  type Stoppable,
} from './infra';
import { bold, cyan, DemoFailure, dim, green, out } from './output';
import { LOG_DIR, runToEnd, start, waitForHttp } from './processes';
import { WebhookReceiver } from './receiver';
import { newWebhookSecret, runStory, type StoryFacts } from './story';

const USAGE = `Usage: npm run demo [-- options]

  --members <n>        members of the Google Workspace organization (default 200; Microsoft 365 gets a quarter)
  --once               exit when the story is done (0), or non-zero naming the failing step
  --report <file>      also write the facts the story established as JSON
  --api-url <url>      use a running API instead of starting one (with --sandbox-url; the compose demo service)
  --sandbox-url <url>  the provider sandbox that API and its worker use
  --receiver-host <h>  address the worker reaches this process's webhook receiver on (default 127.0.0.1)
  --public-api-url <u> the API's address as you reach it, for the printed commands (default: the API's own)

Uses the PostgreSQL server of DATABASE_URL and the Redis of REDIS_URL (environment or .env) when set; otherwise the
local defaults, or an embedded PostgreSQL and a redis-server of its own when those do not answer. It works in a
database of its own on that server (DATABASE_URL's name + _demo, or DEMO_DATABASE_URL), recreated at every start
because the sandbox starts empty. Logs of the processes it starts: .demo/logs/.`;

const execFileAsync = promisify(execFile);
const stoppables: Stoppable[] = [];
let stopping = false;

async function stopAll(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const s of stoppables.reverse()) {
    try {
      await s.stop();
    } catch {
      // keep stopping the rest
    }
  }
}

/** The master key: the configured one, else one kept in .demo/master-key (generated once, never printed). */
function masterKey(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.SERVICE_ACCOUNT_ENCRYPTION_KEY || env.SERVICE_ACCOUNT_ENCRYPTION_KEYS) return {};
  const file = path.join(DEMO_DIR, 'master-key');
  mkdirSync(DEMO_DIR, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  out.ok('master key: generated once into .demo/master-key (not printed)');
  return { SERVICE_ACCOUNT_ENCRYPTION_KEY: readFileSync(file, 'utf8').trim() };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script shared with `npm test`
const { buildIsCurrent } = require('../scripts/build-if-stale.cjs') as { buildIsCurrent: () => boolean };

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      members: { type: 'string', default: '200' },
      once: { type: 'boolean', default: false },
      report: { type: 'string' },
      'api-url': { type: 'string' },
      'sandbox-url': { type: 'string' },
      'receiver-host': { type: 'string', default: '127.0.0.1' },
      'public-api-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const members = Number(values.members);
  if (!Number.isInteger(members) || members < 5 || members > 100_000) {
    process.stderr.write('--members must be a whole number from 5 to 100000\n');
    return 2;
  }
  const external = values['api-url'] !== undefined;
  if (external !== (values['sandbox-url'] !== undefined)) {
    process.stderr.write('--api-url and --sandbox-url go together\n');
    return 2;
  }
  const began = Date.now();
  loadDotenv({ path: path.join(ROOT, '.env'), quiet: true }); // the environment wins, as for the service

  out.section('Delegation Credentials — the whole story, offline, against the Google/Microsoft sandbox');
  out.line(dim(`members: ${members}; logs of the processes started: ${path.relative(ROOT, LOG_DIR)}/`));

  out.section('Preparing');
  out.currentStep = 'preparing PostgreSQL';
  const server = external
    ? { url: process.env.DATABASE_URL! }
    : await providePostgres(process.env.DATABASE_URL);
  if (server.stop) stoppables.push(server.stop);
  const postgres = { url: external ? server.url : demoDatabaseUrl(server.url) };
  out.currentStep = 'preparing Redis';
  const redis = external ? { url: process.env.REDIS_URL! } : await provideRedis(process.env.REDIS_URL);
  if (redis.stop) stoppables.push(redis.stop);

  let apiUrl = values['api-url'] ?? '';
  let sandboxUrl = values['sandbox-url'] ?? '';
  // One configuration for every process the demo starts: API, worker, CLI and migrations alike.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: process.env.QUEUE_PREFIX ?? 'demo',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true', // the demo's receiver listens on this machine
    // The story's admin makes a few hundred requests a minute (one per member created, then polling), beyond the
    // per-API-key limit a deployment has (120/min, as Cal.com): the demo's API runs without rate limits, whatever
    // .env says. `npm run demo` is a showcase; rate limits are tested on their own (test/rate-limit.e2e-spec.ts).
    RATE_LIMIT_ENABLED: 'false',
    NODE_ENV: process.env.NODE_ENV ?? 'development',
  };
  if (!external) Object.assign(env, masterKey(env));

  // The operator CLI: the built one (always there after the build step; in the image for the compose demo).
  const cliCommand = existsSync(path.join(ROOT, 'dist', 'cli.js'))
    ? ['dist/cli.js']
    : ['-r', './scripts/ts-register.cjs', 'src/cli.ts'];
  if (!external) {
    out.currentStep = 'migrations';
    let t = Date.now();
    await recreateDatabase(postgres.url);
    await runToEnd('migrate', ['scripts/prisma-wasm.mjs', 'deploy'], env);
    out.ok(
      `database ${describeEndpoint(postgres.url, 5432)}: the demo's own, created afresh and migrated (${seconds(t)})`,
    );
    out.currentStep = 'build';
    t = Date.now();
    if (buildIsCurrent()) out.ok('build (dist/) is current');
    else {
      await runToEnd('build', [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], env, 600_000);
      out.ok(`built (${seconds(t)})`);
    }
    cliCommand.splice(0, cliCommand.length, 'dist/cli.js');
    out.currentStep = 'seed';
    await runToEnd('seed', ['dist/cli.js', 'seed'], env);
    out.ok('workspace platforms google and office365 seeded');

    out.section('Starting the sandbox, the API and a worker, all from one configuration');
    out.currentStep = 'sandbox';
    const sandboxPort = await freePort(4010);
    const sandbox = start('sandbox', ['dist/sandbox/main.js'], {
      ...env,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
    });
    stoppables.push(sandbox);
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    await waitForHttp('sandbox', `${sandboxUrl}/__sandbox`, sandbox);
    out.ok(`sandbox (local Google + Microsoft) on ${sandboxUrl}`);
    Object.assign(env, {
      GOOGLE_API_BASE_URL: sandboxUrl,
      MICROSOFT_LOGIN_BASE_URL: sandboxUrl,
      MICROSOFT_GRAPH_BASE_URL: sandboxUrl,
    });
    out.currentStep = 'API';
    const apiPort = await freePort(Number(process.env.DEMO_API_PORT ?? 3000));
    const apiProcess = start('api', ['dist/main.js'], { ...env, PORT: String(apiPort) });
    stoppables.push(apiProcess);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp('api', `${apiUrl}/health/ready`, apiProcess);
    out.ok(`API on ${apiUrl} (ready: PostgreSQL and Redis answer)`);
    out.currentStep = 'worker';
    const worker = start('worker', ['dist/worker.js'], env);
    stoppables.push(worker);
    try {
      await worker.waitForOutput(/Worker started/, 60_000);
      out.ok('worker started (lifecycle, verification and webhook queues)');
    } catch (error) {
      if (worker.process.exitCode !== null) throw error;
      out.info('worker running (its start line is not in its log at this LOG_LEVEL)');
    }
    out.info(
      `shared configuration: DATABASE_URL=${describeEndpoint(postgres.url, 5432)} REDIS_URL=${describeEndpoint(redis.url, 6379)} ` +
        `QUEUE_PREFIX=${env.QUEUE_PREFIX} RATE_LIMIT_ENABLED=false; GOOGLE_API_BASE_URL, MICROSOFT_LOGIN_BASE_URL and ` +
        `MICROSOFT_GRAPH_BASE_URL all ${sandboxUrl}`,
    );
  }

  const webhookSecret = newWebhookSecret();
  const receiver = new WebhookReceiver(webhookSecret);
  const receiverPort = await receiver.listen(
    values['receiver-host'] === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0',
    external ? 4020 : 0,
  );
  stoppables.push({ name: 'webhook receiver', stop: () => receiver.close() });
  const receiverUrl = `http://${values['receiver-host']}:${receiverPort}/hooks/delegation`;

  out.section('The story');
  const cli = async (args: string[]) => {
    const { stdout } = await execFileAsync(process.execPath, [...cliCommand, ...args, '--json'], {
      cwd: ROOT,
      env,
    });
    return JSON.parse(stdout) as { organizationId?: number; userId: number; email: string; apiKey: string };
  };
  const storyStarted = Date.now();
  const facts = await runStory({ apiUrl, sandboxUrl, members, receiver, receiverUrl, webhookSecret, cli });
  out.line();
  out.line(green(bold(`✓ The story is done (${seconds(storyStarted)}; ${seconds(began)} in all).`)));
  if (values.report) writeFileSync(values.report, `${JSON.stringify(facts, null, 2)}\n`, { mode: 0o600 });

  printTryIt(values['public-api-url'] ?? apiUrl, sandboxUrl, facts);
  if (values.once) return 0;
  out.line(
    bold(
      '\nRunning until Ctrl-C (the sandbox, the API and the worker stay up for you to try the commands above).',
    ),
  );
  await new Promise<void>((resolve) => {
    waitingForCtrlC = resolve;
  });
  out.line('\nStopping the processes the demo started…');
  return 0;
}

function printTryIt(apiUrl: string, sandboxUrl: string, facts: StoryFacts): void {
  const g = facts.google;
  const m = facts.microsoft;
  out.section('Try it yourself');
  out.line(`  API docs (click Authorize, paste an API key): ${cyan(`${apiUrl}/docs`)}`);
  out.line(`  Sandbox control API: ${sandboxUrl}/__sandbox   (see src/sandbox/README.md)`);
  out.line('');
  out.line(`  ${g.domain} admin  (${g.admin.email}):  ${g.admin.apiKey}`);
  out.line(`  ${g.domain} member (${g.member.email}): ${g.member.apiKey}`);
  out.line(`  ${m.domain} admin  (${m.admin.email}):  ${m.admin.apiKey}`);
  out.line(`  ${m.domain} member (${m.member.email}): ${m.member.apiKey}`);
  out.line(
    dim('  (demo keys for this local database; the story left acme.test disabled and contoso.test enabled)'),
  );
  out.line('');
  const lines = [
    `# ${g.domain}'s delegation credentials (disabled at the end of the story)`,
    `curl -s -H 'Authorization: Bearer ${g.admin.apiKey}' ${apiUrl}/v2/organizations/${g.organizationId}/delegation-credentials`,
    '# enable it again (domain-wide delegation was revoked: the answer says what to authorize)',
    `curl -s -X PATCH -H 'Authorization: Bearer ${g.admin.apiKey}' -H 'content-type: application/json' -d '{"enabled":true}' ${apiUrl}/v2/organizations/${g.organizationId}/delegation-credentials/${g.delegationCredentialId}`,
    `# ${m.domain}: member counts of its credential`,
    `curl -s -H 'Authorization: Bearer ${m.admin.apiKey}' ${apiUrl}/v2/organizations/${m.organizationId}/delegation-credentials/${m.delegationCredentialId}`,
    `# what ${m.member.email} sees: the delegated Outlook calendar, then tomorrow's busy times`,
    `curl -s -H 'Authorization: Bearer ${m.member.apiKey}' ${apiUrl}/v2/calendars`,
    `curl -s -g -H 'Authorization: Bearer ${m.member.apiKey}' '${apiUrl}/v2/calendars/busy-times?timeZone=UTC&dateFrom=${tomorrow()}&dateTo=${tomorrow()}&calendarsToLoad[0][delegationCredentialId]=${m.delegationCredentialId}&calendarsToLoad[0][externalId]=${encodeURIComponent(m.member.calendarId)}'`,
    '# book a Teams meeting in their calendar',
    `curl -s -X POST -H 'Authorization: Bearer ${m.member.apiKey}' -H 'content-type: application/json' -d '{"title":"Demo","start":"${tomorrow()}T16:00:00Z","end":"${tomorrow()}T16:30:00Z","conference":true}' ${apiUrl}/v2/calendars/office365/events`,
  ];
  for (const line of lines) out.line(line.startsWith('#') ? `  ${dim(line)}` : `  ${line}`);
}

function tomorrow(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Ctrl-C: after the story it ends the demo normally; during it, it stops everything and names the step. */
let waitingForCtrlC: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (waitingForCtrlC) return waitingForCtrlC();
    out.fail(out.currentStep, `interrupted (${signal})`);
    void stopAll().then(() => process.exit(130));
  });
}

main(process.argv.slice(2))
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    const step = error instanceof DemoFailure ? error.step : out.currentStep;
    out.fail(step, error instanceof Error ? error.message : String(error));
    out.line(dim(`Logs of the processes the demo started: ${path.relative(ROOT, LOG_DIR)}/`));
    await stopAll();
    process.exit(1);
  });
