import { once } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * `up` when `redis` answers PING with PONG within `timeoutMs`, `down` otherwise — never longer, never throws. A
 * client still (re)connecting is given that long to get ready first: without an offline queue its commands fail at
 * once, which right after boot would report a healthy Redis as down. A Redis that accepts the connection but does
 * not answer (frozen, overloaded) is `down` after `timeoutMs`.
 */
export async function pingRedis(redis: Redis, timeoutMs: number): Promise<'up' | 'down'> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    if (redis.status !== 'ready') await once(redis, 'ready', { signal: abort.signal });
    const reply = await Promise.race([
      redis.ping(),
      once(abort.signal, 'abort').then(() => Promise.reject(new Error('timeout'))),
    ]);
    return reply === 'PONG' ? 'up' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
