import { ClientCache, fingerprint } from './client-cache';
import { normalizeSubjectEmail } from './subject-email';

const key = (credentialId: string, subject: string) =>
  ClientCache.key({ credentialId, keyFingerprint: 'fp', material: 'm', subject, scope: 's' });

describe('ClientCache', () => {
  it('creates a client once per key', () => {
    const cache = new ClientCache<{ credentialId: string; n: number }>({ max: 10, ttlMs: 60_000 });
    let created = 0;
    const make = () => ({ credentialId: 'a', n: ++created });
    expect(cache.getOrCreate(key('a', 'x'), make)).toBe(cache.getOrCreate(key('a', 'x'), make));
    expect(created).toBe(1);
  });

  it('evicts every entry of one credential only, disposing them', () => {
    const disposed: string[] = [];
    const cache = new ClientCache<{ credentialId: string; name: string }>({
      max: 10,
      ttlMs: 60_000,
      onDispose: (c) => disposed.push(c.name),
    });
    for (const [cred, subject] of [
      ['a', 'x'],
      ['a', 'y'],
      ['b', 'x'],
    ]) {
      cache.getOrCreate(key(cred, subject), () => ({ credentialId: cred, name: `${cred}/${subject}` }));
    }
    expect(cache.evictCredential('a')).toBe(2);
    expect(cache.size).toBe(1);
    expect(disposed.sort()).toEqual(['a/x', 'a/y']);
  });

  it('is bounded (least recently used goes first)', () => {
    const cache = new ClientCache<{ credentialId: string }>({ max: 2, ttlMs: 60_000 });
    cache.getOrCreate(key('a', '1'), () => ({ credentialId: 'a' }));
    cache.getOrCreate(key('a', '2'), () => ({ credentialId: 'a' }));
    cache.getOrCreate(key('a', '1'), () => ({ credentialId: 'never' }));
    cache.getOrCreate(key('a', '3'), () => ({ credentialId: 'a' }));
    expect(cache.size).toBe(2);
    let recreated = false;
    cache.getOrCreate(key('a', '2'), () => ((recreated = true), { credentialId: 'a' }));
    expect(recreated).toBe(true);
  });

  it('delete() leaves a newer client under the same key alone', () => {
    const cache = new ClientCache<{ credentialId: string }>({ max: 10, ttlMs: 60_000 });
    const old = { credentialId: 'a' };
    cache.getOrCreate(key('a', 'x'), () => old);
    cache.delete(key('a', 'x'), old);
    const fresh = cache.getOrCreate(key('a', 'x'), () => ({ credentialId: 'a' }));
    cache.delete(key('a', 'x'), old);
    expect(cache.getOrCreate(key('a', 'x'), () => ({ credentialId: 'other' }))).toBe(fresh);
  });

  it('fingerprints do not reveal the key material and change with it', () => {
    const secret = '-----BEGIN PRIVATE KEY-----abc';
    expect(fingerprint(secret)).not.toContain('abc');
    expect(fingerprint(secret)).not.toEqual(fingerprint(`${secret}d`));
    expect(fingerprint('a', 'bc')).not.toEqual(fingerprint('ab', 'c'));
  });
});

describe('normalizeSubjectEmail', () => {
  it.each([
    // A plus-address is its own account: never reduced to the address before the `+` (Cal.com's alias stripping).
    ['alice+abcdefghijklmnopqrstuvwxy@acme.com', 'alice+abcdefghijklmnopqrstuvwxy@acme.com'],
    [' Alice+ABCDEFGHIJKLMNOPQRSTUVWX9@Acme.com ', 'alice+abcdefghijklmnopqrstuvwx9@acme.com'],
    ['alice+team@acme.com', 'alice+team@acme.com'],
    [' Alice@Acme.COM ', 'alice@acme.com'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeSubjectEmail(input)).toBe(expected);
  });
});
