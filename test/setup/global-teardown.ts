import { deleteRedisKeys } from '../utils/redis';
import { scanRunForSecrets } from './scan-run-for-secrets';

/**
 * Scans the run for leaked secrets (see scan-run-for-secrets.ts), then removes every Redis key of this test run (all
 * files' prefixes start with the run's prefix), also when the scan failed.
 */
export default async function globalTeardown(): Promise<void> {
  exitIfStillRunning();
  const prefix = process.env.QUEUE_PREFIX;
  try {
    await scanRunForSecrets();
  } finally {
    if (prefix?.startsWith('test-')) await deleteRedisKeys(`${prefix}*`);
  }
}

/**
 * A run whose tests all finished once stayed alive (no socket, no child process: a timer of some client left
 * behind), which would hold CI until its time limit. If the process is still running 15 s after this teardown, the
 * resources keeping it alive are printed and it exits with the code jest set for the results (non-zero when a test
 * failed). The timer is unref'd: a run that ends by itself never waits for it.
 */
function exitIfStillRunning(): void {
  setTimeout(() => {
    process.stderr.write(
      `\nThe test run finished but the process is still alive, kept by: ${JSON.stringify(process.getActiveResourcesInfo())}; exiting.\n`,
    );
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  }, 15_000).unref();
}
