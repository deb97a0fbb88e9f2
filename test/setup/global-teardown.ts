import { deleteRedisKeys } from '../utils/redis';

/** Removes every Redis key of this test run (all files' prefixes start with the run's prefix). */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.QUEUE_PREFIX;
  if (prefix?.startsWith('test-')) await deleteRedisKeys(`${prefix}*`);
}
