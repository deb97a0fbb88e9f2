import type { ConnectionOptions } from 'bullmq';
import type { RedisTarget } from '../redis/redis-target';

/**
 * BullMQ connection options for the service's Redis (AppConfigService.redis: REDIS_URL, or the master behind
 * REDIS_SENTINELS) — workers: blocking connections that wait for Redis (BullMQ sets maxRetriesPerRequest: null).
 */
export function redisConnection(target: RedisTarget): ConnectionOptions {
  return { ...target.options };
}

/**
 * Producer connections (queues that add jobs, read counts, serve the dashboard): commands fail at once while Redis
 * is unreachable instead of waiting in ioredis's offline queue (BullMQ's "failing fast when Redis is down"), and a
 * command on a connection that went silent fails after `commandTimeoutMs`. Nothing a request does waits for Redis.
 */
export function producerConnection(target: RedisTarget, commandTimeoutMs = 5000): ConnectionOptions {
  return { ...redisConnection(target), enableOfflineQueue: false, commandTimeout: commandTimeoutMs };
}
