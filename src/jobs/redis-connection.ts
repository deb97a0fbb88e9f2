import type { ConnectionOptions } from 'bullmq';

/** BullMQ connection options from a redis:// or rediss:// URL (workers: blocking connections that wait for Redis). */
export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Producer connections (queues that add jobs, read counts, serve the dashboard): commands fail at once while Redis
 * is unreachable instead of waiting in ioredis's offline queue (BullMQ's "failing fast when Redis is down"), and a
 * command on a connection that went silent fails after `commandTimeoutMs`. Nothing a request does waits for Redis.
 */
export function producerConnection(redisUrl: string, commandTimeoutMs = 5000): ConnectionOptions {
  return { ...redisConnection(redisUrl), enableOfflineQueue: false, commandTimeout: commandTimeoutMs };
}
