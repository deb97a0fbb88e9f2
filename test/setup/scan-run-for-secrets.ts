import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  describeHits,
  indexSealedSecrets,
  scanDatabase,
  scanRedis,
  SecretIndex,
} from '../../scripts/secret-hygiene/scan';

/**
 * After every e2e suite of the run (global teardown): the secrets every suite gave the service — whatever the run's
 * database holds sealed (service account keys, Entra client secrets, webhook secrets, manual calendar credentials),
 * decrypted with the run's master key, and the master key itself — must not appear, not even as a fragment, in any
 * other column of the run's database, in any Redis key or value of the run (BullMQ job data included), or in what
 * the suites' test apps answered and logged (TEST_CAPTURE_DIR, see test/utils/run-capture.ts).
 * Throws (failing `npm test`) naming where each fragment was found, never the secret.
 */
export async function scanRunForSecrets(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const prefix = process.env.QUEUE_PREFIX;
  if (!databaseUrl || !prefix?.startsWith('test-')) return;
  const started = Date.now();
  const index = new SecretIndex();
  const sealed = await indexSealedSecrets(
    databaseUrl,
    process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY,
    process.env.SERVICE_ACCOUNT_ENCRYPTION_KEYS,
    index,
  );
  const hits = await scanDatabase(databaseUrl, index);
  const redis = await scanRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `${prefix}*`, index);
  hits.push(...redis.hits);
  let captured = 0;
  const dir = process.env.TEST_CAPTURE_DIR;
  if (dir && existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      captured += text.length;
      hits.push(...index.scan(name.startsWith('logs') ? 'test app logs' : 'test app responses', text));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (hits.length) {
    throw new Error(
      `Secret hygiene: ${hits.length} fragment(s) of the run's secrets outside the encrypted columns:\n${describeHits(hits)}`,
    );
  }
  console.warn(
    `Secret hygiene: ${sealed} sealed secrets of this run, none found in the database, in ${redis.keys} Redis keys or in ${Math.round(captured / 1024)} KB of responses and logs (${Date.now() - started} ms)`,
  );
}
