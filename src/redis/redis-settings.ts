import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** `key:value` lines of an INFO section. */
function infoValue(info: string, key: string): string | undefined {
  return info
    .split(/\r?\n/)
    .find((line) => line.startsWith(`${key}:`))
    ?.slice(key.length + 1)
    .trim();
}

/**
 * Worker boot: warns (clearly, once) when Redis is configured in a way BullMQ cannot be safe on —
 * `maxmemory-policy` other than `noeviction` (queued jobs and locks may be evicted under memory pressure) — or
 * without persistence (AOF off: a restart loses every queued job; reconciliation repairs members, not webhook
 * deliveries). Never fails the boot: managed Redis may refuse INFO, and the operator decides.
 */
export async function warnOnUnsafeRedisSettings(redis: Redis, logger = new Logger('Redis')): Promise<void> {
  let memory: string;
  let persistence: string;
  try {
    if (redis.status !== 'ready') {
      // The shared client queues no commands offline: wait (briefly) until it is connected.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not connected within 5 s')), 5000);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    [memory, persistence] = await Promise.all([redis.info('memory'), redis.info('persistence')]);
  } catch (error) {
    logger.warn(`could not read Redis settings (INFO): ${(error as Error).message}`);
    return;
  }
  const policy = infoValue(memory, 'maxmemory_policy');
  if (policy && policy !== 'noeviction') {
    logger.warn(
      `Redis maxmemory-policy is "${policy}": BullMQ requires "noeviction" — under memory pressure Redis would evict ` +
        'queued jobs and their locks. Set `maxmemory-policy noeviction` (README "Production topology").',
    );
  }
  if (infoValue(persistence, 'aof_enabled') === '0') {
    logger.warn(
      'Redis persistence (AOF) is off: a Redis restart loses every queued job. Job intents not yet dispatched are ' +
        'kept in PostgreSQL and reconciliation repairs members, but set `appendonly yes` in production.',
    );
  }
}
