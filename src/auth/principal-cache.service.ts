import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Client, type Notification } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { NotifyBarrier } from '../prisma/notify-barrier';
import { AUTH_CHANGES_CHANNEL, principalTags, type ResolvedPrincipal } from './principal';

const MAX_ENTRIES = 10_000;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

interface Entry {
  principal: ResolvedPrincipal;
  tags: string[];
}

export interface PrincipalCacheStats {
  hits: number;
  misses: number;
  /** Notifications received (each may drop several entries). */
  notifications: number;
  /** Whole-cache flushes (`*` notifications, lost LISTEN connection). */
  flushes: number;
  size: number;
  listening: boolean;
}

/**
 * In-process cache of resolved principals (API key or OAuth client → user, membership, organization flags), keyed
 * by the key hash (or client id) and the path's orgId, so that authenticated requests skip the database.
 *
 * Invalidation is immediate and covers every change path (API, CLI, workers, other replicas, raw SQL): triggers on
 * ApiKey, User, Team, Membership, Role and PlatformOAuthClient send the changed rows' tags with `pg_notify` when
 * their transaction commits, and every API process LISTENs on a dedicated connection and drops the entries carrying
 * them. A demoted admin gets 403 on their next request, not after a TTL (Cal.com caches guard results for 300 s).
 *
 * Safety rules:
 * - While the LISTEN connection is not established (boot, a dropped connection, reconnection), the cache is empty
 *   and bypassed: every request reads the database; entries are stored again only once LISTEN is back.
 * - A load that overlapped an invalidation is not stored (an epoch counter), so a row read just before a change
 *   commits never outlives the notification of that change.
 * - Read-your-writes: a lookup first waits for a round trip of a private notification over the LISTEN connection
 *   (NotifyBarrier), so the notifications of every change committed before the request — on any process — have
 *   been handled: the very next request after a demotion or key deletion is refused. A barrier that fails or
 *   times out bypasses the cache and reconnects (a silently dead connection cannot keep the cache stale).
 * - AUTH_CACHE_TTL_SECONDS bounds an entry's life anyway; 0 disables the cache (no LISTEN connection either).
 * - Only found principals are cached; unknown keys always reach the database (they cannot evict good entries).
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalCache.name);
  private readonly entries: LRUCache<string, Entry> | null;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly inFlight = new Map<
    string,
    { epoch: number; loading: Promise<ResolvedPrincipal | null> }
  >();
  /** 'invalidated' (the notified tags, or '*'), 'listening', 'unlistening'. */
  readonly events = new EventEmitter();
  private client: Client | null = null;
  private listening = false;
  private stopped = false;
  private epoch = 0;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly counters = { hits: 0, misses: 0, notifications: 0, flushes: 0 };
  private readonly barrier = new NotifyBarrier('auth_cache_sync', () =>
    this.listening ? this.client : null,
  );

  constructor(private readonly config: AppConfigService) {
    const ttlSeconds = config.authCacheTtlSeconds;
    this.entries =
      ttlSeconds > 0
        ? new LRUCache<string, Entry>({
            max: MAX_ENTRIES,
            ttl: ttlSeconds * 1000,
            dispose: (entry, key) => this.unindex(key, entry.tags),
          })
        : null;
  }

  get enabled(): boolean {
    return this.entries !== null;
  }

  get isListening(): boolean {
    return this.listening;
  }

  stats(): PrincipalCacheStats {
    return { ...this.counters, size: this.entries?.size ?? 0, listening: this.listening };
  }

  async onModuleInit(): Promise<void> {
    if (!this.entries) return;
    // The first connection is awaited so a freshly started process caches from its first request; a failure is
    // logged and retried in the background (requests then simply read the database).
    await this.connect();
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

  /**
   * The cached principal for `key`, or `load()`'s (stored when the cache is live and no invalidation overlapped
   * the load). Concurrent misses of one key share one load. `keyTag` is the credential's own tag (`k:…`, `c:…`).
   */
  async get(
    key: string,
    keyTag: string,
    load: () => Promise<ResolvedPrincipal | null>,
  ): Promise<ResolvedPrincipal | null> {
    if (!this.entries || !this.listening) return load();
    if (!(await this.synced())) return load();
    const cached = this.entries.get(key);
    if (cached) {
      this.counters.hits++;
      return cached.principal;
    }
    this.counters.misses++;
    const epoch = this.epoch;
    // A load that started before an invalidation this lookup has seen may hold the old rows: not shared.
    const pending = this.inFlight.get(key);
    if (pending?.epoch === epoch) return pending.loading;
    const flight = {
      epoch,
      loading: load().finally(() => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      }),
    };
    this.inFlight.set(key, flight);
    const principal = await flight.loading;
    if (principal && this.listening && epoch === this.epoch) this.store(key, keyTag, principal);
    return principal;
  }

  /** Whether the cache may answer: every notification committed before the call handled (NotifyBarrier). */
  private async synced(): Promise<boolean> {
    const client = this.client;
    try {
      await this.barrier.sync();
    } catch (error) {
      if (client) this.lost(client, error as Error);
      return false;
    }
    return this.listening;
  }

  /** Drops every entry carrying one of `tags`. */
  invalidate(tags: string[]): void {
    this.epoch++;
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.entries?.delete(key); // dispose() unindexes
    }
    this.events.emit('invalidated', tags);
  }

  /** Drops everything. */
  flush(): void {
    this.epoch++;
    this.counters.flushes++;
    this.entries?.clear();
    this.byTag.clear();
    this.events.emit('invalidated', '*');
  }

  private store(key: string, keyTag: string, principal: ResolvedPrincipal): void {
    const tags = principalTags(keyTag, principal);
    this.entries!.set(key, { principal, tags });
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

  private onNotification(message: Notification): void {
    if (this.barrier.handle(message) || message.channel !== AUTH_CHANGES_CHANNEL) return;
    this.counters.notifications++;
    const payload = message.payload ?? '*';
    if (payload === '*') this.flush();
    else this.invalidate(payload.split('\n'));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'delegation-auth-cache',
    });
    this.client = client;
    client.on('notification', (message) => this.onNotification(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANGES_CHANNEL}; LISTEN ${this.barrier.channel}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) return; // lost (or shut down) while connecting
    this.reconnectDelay = RECONNECT_MIN_MS;
    // Nothing was stored while not listening, but a load that started before may still finish: new epoch.
    this.flush();
    this.listening = true;
    this.events.emit('listening');
  }

  /** The current connection failed or ended: bypass the cache and reconnect with backoff. */
  private lost(client: Client, error: Error): void {
    if (client !== this.client) return; // an older connection's late event, or already handled
    this.client = null;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    this.barrier.reset(error);
    if (this.stopped) return;
    if (this.listening)
      this.logger.warn(`auth cache LISTEN connection lost (${error.message}): cache bypassed`);
    else this.logger.warn(`auth cache cannot LISTEN (${error.message}): retrying`);
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
