import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Client, type Notification } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { NotifyBarrier } from './notify-barrier';

/**
 * Channel of the read-cache triggers (migration `read_cache_notify`). Payload: changed tags, newline separated, or
 * `*` (drop everything). Tags:
 * - `u:<userId>`: a user's credentials, selected or destination calendars, memberships or email changed;
 * - `dom:<domain>`: a delegation credential for that email domain was created, changed or deleted;
 * - `dcm:<delegationCredentialId>`: its member credentials were added, removed, or changed sync state;
 * - `org:<teamId>`: memberships of the organization (or a member's email) changed.
 */
export const READ_CACHE_CHANNEL = 'read_cache_changed';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface ReadCacheStats {
  hits: number;
  misses: number;
  size: number;
}

interface Entry<V> {
  value: V;
  tags: string[];
}

/**
 * One named cache of ReadCacheService: values by key, each carrying the tags whose change drops it. Every read
 * first passes the owner's notification barrier (a change committed before the read is seen by it). Concurrent
 * misses of a key share one load unless an invalidation came after it started; a load that overlapped an
 * invalidation is answered but not stored.
 */
export class TaggedCache<V extends object> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly inFlight = new Map<string, { epoch: number; loading: Promise<V> }>();
  private readonly counters = { hits: 0, misses: 0 };

  constructor(
    private readonly owner: ReadCacheService,
    max: number,
    ttlMs: number,
  ) {
    this.entries = new LRUCache<string, Entry<V>>({
      max,
      ttl: ttlMs,
      dispose: (entry, key) => this.unindex(key, entry.tags),
    });
  }

  stats(): ReadCacheStats {
    return { ...this.counters, size: this.entries.size };
  }

  /** The cached value of `key`, or `load()`'s, stored under `tagsOf(value)` when the cache is live. */
  async get(key: string, load: () => Promise<V>, tagsOf: (value: V) => string[]): Promise<V> {
    if (!this.owner.live()) return load();
    if (!(await this.owner.synced())) return load();
    const cached = this.entries.get(key);
    if (cached) {
      this.counters.hits++;
      return cached.value;
    }
    this.counters.misses++;
    const epoch = this.owner.epoch;
    // A load that started before an invalidation this read has seen may hold the old rows: not shared.
    const pending = this.inFlight.get(key);
    if (pending?.epoch === epoch) return pending.loading;
    const flight = {
      epoch,
      loading: load().finally(() => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      }),
    };
    this.inFlight.set(key, flight);
    const value = await flight.loading;
    if (this.owner.live() && epoch === this.owner.epoch) this.store(key, value, tagsOf(value));
    return value;
  }

  /** Drops the entries carrying one of `tags`. */
  invalidate(tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.entries.delete(key); // dispose() unindexes
    }
  }

  clear(): void {
    this.entries.clear();
    this.byTag.clear();
  }

  private store(key: string, value: V, tags: string[]): void {
    this.entries.set(key, { value, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, tags: string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (!keys.size) this.byTag.delete(tag);
    }
  }
}

/**
 * In-process caches of reads on the request path that cost O(members) or several statements (member counts of a
 * delegation credential, a member's calendar context), kept exact by PostgreSQL: triggers on the rows they read
 * send the changed rows' tags on READ_CACHE_CHANNEL when their transaction commits, and this process LISTENs on a
 * dedicated connection and drops the entries carrying them — whatever made the change (API, worker, CLI, raw SQL).
 *
 * The same safety rules as the principal cache (src/auth/principal-cache.service.ts):
 * - while the LISTEN connection is not established (first use, a dropped connection), the caches are empty and
 *   bypassed; the connection is opened on first use, so processes that never read through a cache (the worker)
 *   hold none;
 * - a load that overlapped an invalidation is not stored (epoch counter);
 * - read-your-writes: a read first waits for a round trip of a private notification over the LISTEN connection
 *   (NotifyBarrier), so the notifications of every change committed before it — by this process or any other —
 *   have been handled; a barrier that fails or times out bypasses the caches and reconnects (a dead connection
 *   that never said so cannot keep the caches stale);
 * - READ_CACHE_TTL_SECONDS bounds an entry's life; 0 disables the caches.
 */
@Injectable()
export class ReadCacheService implements OnApplicationShutdown {
  private readonly logger = new Logger(ReadCacheService.name);
  private readonly caches = new Map<string, TaggedCache<object>>();
  /** 'invalidated' (the notified tags, or '*'), 'listening', 'unlistening'. */
  readonly events = new EventEmitter();
  epoch = 0;
  private client: Client | null = null;
  private connecting = false;
  private listening = false;
  private stopped = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly barrier = new NotifyBarrier('read_cache_sync', () =>
    this.listening ? this.client : null,
  );

  constructor(private readonly config: AppConfigService) {}

  get enabled(): boolean {
    return this.config.readCacheTtlSeconds > 0;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** A named cache (one per name and process) of at most `max` entries. */
  cache<V extends object>(name: string, max: number): TaggedCache<V> {
    let cache = this.caches.get(name);
    if (!cache) {
      cache = new TaggedCache<object>(this, max, this.config.readCacheTtlSeconds * 1000);
      this.caches.set(name, cache);
    }
    return cache as unknown as TaggedCache<V>;
  }

  stats(): Record<string, ReadCacheStats> {
    return Object.fromEntries([...this.caches].map(([name, cache]) => [name, cache.stats()]));
  }

  /** Whether reads may be served from and stored in the caches; opens the LISTEN connection on first use. */
  live(): boolean {
    if (this.listening) return true;
    if (this.enabled && !this.stopped && !this.connecting && !this.client && !this.reconnectTimer)
      void this.connect();
    return false;
  }

  /**
   * Waits until the notifications of every change committed before the call have been handled (NotifyBarrier);
   * false when the caches must be bypassed (not listening, or the barrier failed: the connection is then dropped
   * and reopened).
   */
  async synced(): Promise<boolean> {
    const client = this.client;
    try {
      await this.barrier.sync();
    } catch (error) {
      if (client) this.lost(client, error as Error);
      return false;
    }
    return this.listening;
  }

  /** Starts listening now (tests, warm-up) and resolves once the caches are live (or disabled). */
  async start(): Promise<void> {
    if (!this.enabled || this.listening) return;
    if (!this.connecting && !this.client) void this.connect();
    await new Promise<void>((resolve) => this.events.once('listening', resolve));
  }

  invalidate(tags: readonly string[]): void {
    this.epoch++;
    for (const cache of this.caches.values()) cache.invalidate(tags);
    this.events.emit('invalidated', tags);
  }

  flush(): void {
    this.epoch++;
    for (const cache of this.caches.values()) cache.clear();
    this.events.emit('invalidated', '*');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.setNotListening();
    this.barrier.reset(new Error('shutting down'));
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private onNotification(message: Notification): void {
    if (this.barrier.handle(message) || message.channel !== READ_CACHE_CHANNEL) return;
    const payload = message.payload ?? '*';
    if (payload === '*') this.flush();
    else this.invalidate(payload.split('\n'));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'delegation-read-cache',
    });
    this.client = client;
    client.on('notification', (message) => this.onNotification(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_CACHE_CHANNEL}; LISTEN ${this.barrier.channel}`);
    } catch (error) {
      this.connecting = false;
      this.lost(client, error as Error);
      return;
    }
    this.connecting = false;
    if (this.client !== client) return; // lost (or shut down) while connecting
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.flush(); // a load that started before may still finish: new epoch
    this.listening = true;
    this.events.emit('listening');
  }

  /** The connection failed or ended: bypass the caches and reconnect with backoff. */
  private lost(client: Client, error: Error): void {
    if (client !== this.client) return;
    this.client = null;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    this.barrier.reset(error);
    if (this.stopped) return;
    this.logger.warn(`read cache LISTEN connection lost (${error.message}): caches bypassed`);
    this.setNotListening();
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private setNotListening(): void {
    const was = this.listening;
    this.listening = false;
    this.flush();
    if (was) this.events.emit('unlistening');
  }
}
