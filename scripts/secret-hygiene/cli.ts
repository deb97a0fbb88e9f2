import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { describeHits, type Hit, indexSealedSecrets, scanDatabase, scanRedis, SecretIndex } from './scan';

const ROOT = path.join(__dirname, '..', '..');
/** Where `npm run demo` writes the logs of the processes it starts. */
const DEMO_LOGS = path.join(ROOT, '.demo', 'logs');
const USAGE = `Usage: npm run scan:secrets -- [options]

Looks for any fragment of the deployment's secrets — every secret its database holds sealed (service account keys,
Entra client secrets, webhook secrets, manual calendar credentials; decrypted with the master key), the master key,
and the secrets of --secrets files (API keys: any "cal_…" string, and values of secret-named fields) — in every
database column outside the encrypted ones, every Redis key and value under the queue prefix (BullMQ job data
included), and the log files given. Exits 0 when there is none, 1 naming where each fragment is (never the secret).

  --demo                   what \`npm run demo\` leaves: its database (DEMO_DATABASE_URL, else DATABASE_URL's name +
                           _demo), Redis prefix QUEUE_PREFIX or "demo", logs in .demo/logs/, master key from the
                           environment or .demo/master-key
  --database-url <url>     (default DATABASE_URL)
  --redis-url <url>        (default REDIS_URL, else redis://127.0.0.1:6379)
  --prefix <prefix>        Redis key prefix (default QUEUE_PREFIX, else dc)
  --master-key-file <f>    base64 master key, when SERVICE_ACCOUNT_ENCRYPTION_KEY(S) is not set
  --logs <file|dir>        log output to scan (repeatable; a directory means every file in it)
  --secrets <file>         JSON holding more secrets to look for, e.g. the demo's --report (repeatable)`;

/** Strings of a JSON value that are secrets: API keys anywhere, and values of secret-named fields. */
function secretsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string')
    return /^cal_[0-9a-f]{16,}$/.test(value) || /secret|private_?key|password|token/i.test(key)
      ? [value]
      : [];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => secretsIn(v, Array.isArray(value) ? key : k));
  return [];
}

function filesOf(target: string): string[] {
  if (!existsSync(target)) throw new Error(`--logs ${target}: no such file or directory`);
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .map((name) => path.join(target, name))
    .filter((file) => statSync(file).isFile());
}

function demoDatabaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.DEMO_DATABASE_URL) return env.DEMO_DATABASE_URL;
  const url = new URL(env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/delegation');
  url.pathname = `${url.pathname}_demo`;
  return url.toString();
}

export interface DeploymentScan {
  databaseUrl: string;
  redisUrl: string;
  /** Redis key prefix (QUEUE_PREFIX). */
  prefix: string;
  /** SERVICE_ACCOUNT_ENCRYPTION_KEY / SERVICE_ACCOUNT_ENCRYPTION_KEYS of the deployment. */
  masterKey?: string;
  masterKeys?: string;
  /** Log files, or directories of them. */
  logs?: string[];
  /** More secrets to look for, by label (API keys, webhook secrets the caller made). */
  secrets?: Record<string, string>;
}

/**
 * Scans a deployment (see USAGE). The demo calls this after its story with what it knows (its API keys, webhook
 * secret, process logs); `npm run scan:secrets` calls it from the command line.
 */
export async function scanDeployment(scan: DeploymentScan): Promise<{ hits: Hit[]; summary: string }> {
  const index = new SecretIndex();
  const sealed = await indexSealedSecrets(scan.databaseUrl, scan.masterKey, scan.masterKeys, index);
  const given = Object.entries(scan.secrets ?? {});
  for (const [label, secret] of given) index.add(label, secret);
  const hits: Hit[] = await scanDatabase(scan.databaseUrl, index);
  const redis = await scanRedis(scan.redisUrl, `${scan.prefix}*`, index);
  hits.push(...redis.hits);
  let logFiles = 0;
  for (const target of scan.logs ?? [])
    for (const file of filesOf(target)) {
      logFiles++;
      hits.push(...index.scan(`log ${path.relative(ROOT, file)}`, readFileSync(file, 'utf8')));
    }
  const summary = `${sealed} sealed secret(s) + ${given.length} given; database, ${redis.keys} Redis key(s) under "${scan.prefix}", ${logFiles} log file(s)`;
  return { hits, summary };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      prefix: { type: 'string' },
      'master-key-file': { type: 'string' },
      logs: { type: 'string', multiple: true, default: [] },
      secrets: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  loadDotenv({ path: path.join(ROOT, '.env'), quiet: true, processEnv: env });
  const demo = values.demo;
  const databaseUrl = values['database-url'] ?? (demo ? demoDatabaseUrl(env) : env.DATABASE_URL);
  if (!databaseUrl) throw new Error('no database: pass --database-url or set DATABASE_URL');
  const keyFile = values['master-key-file'] ?? (demo ? path.join(ROOT, '.demo', 'master-key') : undefined);
  let masterKey = env.SERVICE_ACCOUNT_ENCRYPTION_KEY;
  if (!masterKey && !env.SERVICE_ACCOUNT_ENCRYPTION_KEYS && keyFile)
    masterKey = readFileSync(keyFile, 'utf8').trim();
  const secrets: Record<string, string> = {};
  for (const file of values.secrets)
    secretsIn(JSON.parse(readFileSync(file, 'utf8'))).forEach((secret, i) => {
      secrets[`${path.basename(file)} secret #${i + 1}`] = secret;
    });
  const { hits, summary } = await scanDeployment({
    databaseUrl,
    redisUrl: values['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: values.prefix ?? env.QUEUE_PREFIX ?? (demo ? 'demo' : 'dc'),
    masterKey,
    masterKeys: env.SERVICE_ACCOUNT_ENCRYPTION_KEYS,
    logs: [...values.logs, ...(demo && values.logs.length === 0 && existsSync(DEMO_LOGS) ? [DEMO_LOGS] : [])],
    secrets,
  });
  if (hits.length) {
    process.stdout.write(
      `✗ secret hygiene: ${hits.length} fragment(s) found (${summary})\n${describeHits(hits)}\n`,
    );
    return 1;
  }
  process.stdout.write(`✓ secret hygiene: no fragment of any secret found (${summary})\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`scan:secrets: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
