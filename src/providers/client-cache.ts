import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { providerTelemetry } from '../observability/metrics/telemetry';

export interface CachedClient {
  readonly credentialId: string;
}

/** Short, non-reversible digest of key material, so cache keys change with the key but never contain it. */
export function fingerprint(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url').slice(0, 22);
}

/**
 * Bounded LRU of authenticated SDK clients. Each client caches its own token, so keeping one client per
 * (credential, key, subject, scope) for the process means at most one token mint per token lifetime.
 * Idle entries expire after `ttlMs` (the token would have expired anyway); `evictCredential` drops every entry of a
 * credential when its key is rotated or it is disabled.
 */
export class ClientCache<T extends CachedClient> {
  private readonly lru: LRUCache<string, T>;

  constructor(options: { max: number; ttlMs: number; onDispose?: (client: T) => void }) {
    this.lru = new LRUCache<string, T>({
      max: options.max,
      ttl: options.ttlMs,
      updateAgeOnGet: true,
      dispose: options.onDispose ? (client) => options.onDispose?.(client) : undefined,
    });
  }

  static key(parts: {
    credentialId: string;
    keyFingerprint: string;
    material: string;
    subject: string;
    scope: string;
  }): string {
    return [parts.credentialId, parts.keyFingerprint, parts.material, parts.subject, parts.scope].join('|');
  }

  getOrCreate(key: string, create: () => T): T {
    const existing = this.lru.get(key);
    providerTelemetry.clientCacheLookup(existing !== undefined);
    if (existing) return existing;
    const created = create();
    this.lru.set(key, created);
    return created;
  }

  /** Drops one entry, but only if it is still `client` (a concurrent caller may already have replaced it). */
  delete(key: string, client: T): void {
    if (this.lru.peek(key) === client) this.lru.delete(key);
  }

  evictCredential(credentialId: string): number {
    const keys = [...this.lru.entries()]
      .filter(([, client]) => client.credentialId === credentialId)
      .map(([k]) => k);
    for (const key of keys) this.lru.delete(key);
    return keys.length;
  }

  get size(): number {
    return this.lru.size;
  }
}
