import { deleteRedisKeys } from '../utils/redis';
import { scanRunForSecrets } from './scan-run-for-secrets';

/**
 * Scans the run for leaked secrets (see scan-run-for-secrets.ts), then removes every Redis key of this test run (all
 * files' prefixes start with the run's prefix), also when the scan failed.
 */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.QUEUE_PREFIX;
  try {
    await scanRunForSecrets();
  } finally {
    if (prefix?.startsWith('test-')) await deleteRedisKeys(`${prefix}*`);
  }
}
