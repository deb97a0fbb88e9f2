import { Redis } from 'ioredis';

/** Removes every Redis key of this test run (all files' prefixes start with the run's prefix). */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.QUEUE_PREFIX;
  if (!prefix?.startsWith('test-')) return;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
