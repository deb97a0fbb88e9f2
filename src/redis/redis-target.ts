import type { RedisOptions } from 'ioredis';

/** A Sentinel deployment: the sentinels to ask, and the name of the master group they monitor. */
export interface RedisSentinelSettings {
  /** `host:port` of each sentinel (REDIS_SENTINELS); any one answering is enough. */
  sentinels: { host: string; port: number }[];
  /** Master group name (REDIS_SENTINEL_MASTER_NAME), as in the sentinels' `sentinel monitor <name> …`. */
  masterName: string;
  /** AUTH password of the sentinels themselves (REDIS_SENTINEL_PASSWORD), not of the master. */
  password?: string;
}

/**
 * Where the service's Redis is, as the base ioredis options every client of the service spreads its own options
 * over (shared client, rate-limit storage, BullMQ queues and workers, boot checks): either the host of REDIS_URL, or
 * — with Sentinel — the sentinels, which ioredis asks for the current master on every (re)connection (no failover
 * code of our own). REDIS_URL's user, password, database and TLS (`rediss://`) apply to the master either way.
 */
export interface RedisTarget {
  /** Where and how to authenticate; no retry or timeout behaviour (each client sets its own). */
  options: Omit<RedisOptions, 'retryStrategy'>;
  /** Where, for messages (never a password): `127.0.0.1:6379`, or `master "mymaster" via sentinels a:26379,b:26379`. */
  where: string;
  /** The variables that say where, for messages: `REDIS_URL` or `REDIS_SENTINELS`. */
  source: string;
}

/** `host:port` list (REDIS_SENTINELS); IPv6 hosts in brackets (`[::1]:26379`). Validated beforehand. */
export function parseSentinels(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      return {
        host: entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
        port: Number(entry.slice(colon + 1)),
      };
    });
}

/**
 * What is wrong with a `redis://` / `rediss://` URL, or null: unparsable (WHATWG URL), or a database path that is
 * not an integer. Never repeats the URL (it may hold a password).
 */
export function redisUrlProblem(redisUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    return 'must be a redis:// or rediss:// URL (it does not parse: check the host, port and percent-encoding)';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must be a redis:// or rediss:// URL';
  if (url.pathname.length > 1 && !/^\/\d{1,9}$/.test(url.pathname))
    return 'the database (the path) must be an integer 0-999999999';
  return null;
}

/**
 * The RedisTarget of a `redis://` / `rediss://` URL, through the sentinels when `sentinel` is given. Throws a
 * TypeError without the URL (node's own carries it, password included, as `input`) when it does not parse.
 */
export function redisTarget(redisUrl: string, sentinel?: RedisSentinelSettings): RedisTarget {
  const problem = redisUrlProblem(redisUrl);
  if (problem) throw new TypeError(`REDIS_URL: ${problem}`);
  const url = new URL(redisUrl);
  const tls = url.protocol === 'rediss:';
  const master: RedisTarget['options'] = {
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: tls ? {} : undefined,
  };
  if (!sentinel) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || 6379);
    return {
      options: { ...master, host, port },
      where: `${url.hostname}:${port}`,
      source: 'REDIS_URL',
    };
  }
  return {
    options: {
      ...master,
      sentinels: sentinel.sentinels,
      name: sentinel.masterName,
      sentinelPassword: sentinel.password,
      // ioredis uses `tls` for the master connection in Sentinel mode only with this flag.
      enableTLSForSentinelMode: tls || undefined,
    },
    where: `master "${sentinel.masterName}" via sentinels ${sentinel.sentinels
      .map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`)
      .join(',')}`,
    source: 'REDIS_SENTINELS',
  };
}
