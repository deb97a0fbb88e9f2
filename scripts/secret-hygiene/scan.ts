import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { parseMasterKeys } from '../../src/config/master-keys';
import type { AppConfigService } from '../../src/config/app-config.service';
import { KeyEncryptionService } from '../../src/crypto/key-encryption.service';

/**
 * Secret hygiene: finds any fragment of known secrets (service account private keys, Entra client secrets, webhook
 * secrets, API keys, OAuth client secrets, manual calendar passwords and tokens, the master key) in what the service
 * leaves behind — response bodies, log output, Redis keys and values (BullMQ job data included) and every database
 * column outside the encrypted ones. Used by test/secret-hygiene.e2e-spec.ts, by the test run's global teardown and
 * by `npm run scan:secrets` (the demo's --scan-secrets).
 *
 * A fragment is any run of FRAGMENT characters of a secret, in its raw, JSON-escaped, URL-encoded or base64 form
 * (base64 at each of the three alignments). The guaranteed detection length is FRAGMENT + STRIDE - 1 characters.
 */
export const FRAGMENT = 16;
const STRIDE = 8;
/** Secrets shorter than this are matched whole only (a 16-character window of them would be the whole secret). */
const MIN_SECRET = 12;

export interface Hit {
  /** Where it was found: `response POST /v2/…`, `log api`, `redis dc:lifecycle:12`, `db "Webhook".subscriberUrl`. */
  source: string;
  /** Which secret (its label, never its value). */
  secret: string;
  /** The matching fragment, masked (length and digest). */
  fragment: string;
}

/** A fragment as a report shows it: its length and a short digest, never its characters. */
const mask = (s: string): string =>
  `${s.length} chars, sha256 ${createHash('sha256').update(s).digest('hex').slice(0, 12)}`;

/** The forms a secret may travel in: raw, JSON-escaped, URL-encoded, base64 at three alignments. */
function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.from(secret.slice(offset)).toString('base64');
    forms.add(b64.slice(0, -4)); // the tail depends on padding; drop it
  }
  return [...forms].filter((f) => f.length >= FRAGMENT);
}

/**
 * The part of a secret that is secret: for a PEM, the base64 body without the armour and without its first line
 * (the first 64 characters are the ASN.1 header every RSA key of that size shares), line by line.
 */
function secretParts(secret: string): string[] {
  if (!secret.includes('-----BEGIN')) return [secret];
  const lines = secret
    .split(/\r?\n|\\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('-----'));
  return lines.slice(1);
}

/** An index of every FRAGMENT-long window of every form of every registered secret. */
export class SecretIndex {
  private readonly windows = new Map<string, string>();
  private readonly whole: { label: string; value: string }[] = [];
  private readonly labels = new Set<string>();

  /** Registers `value` under `label` (values too short to be secrets are ignored). */
  add(label: string, value: string | undefined | null): this {
    if (!value || value.length < MIN_SECRET) return this;
    this.labels.add(label);
    for (const part of secretParts(value)) {
      if (part.length < FRAGMENT) {
        this.whole.push({ label, value: part });
        continue;
      }
      for (const form of formsOf(part))
        for (let i = 0; i + FRAGMENT <= form.length; i++)
          this.windows.set(form.slice(i, i + FRAGMENT), label);
    }
    return this;
  }

  get size(): number {
    return this.labels.size;
  }

  /** Every registered secret fragment found in `text`. */
  scan(source: string, text: string): Hit[] {
    const hits: Hit[] = [];
    const seen = new Set<string>();
    const report = (secret: string, fragment: string) => {
      if (seen.has(secret)) return;
      seen.add(secret);
      hits.push({ source, secret, fragment: mask(fragment) });
    };
    for (let i = 0; i + FRAGMENT <= text.length; i += STRIDE) {
      const window = text.slice(i, i + FRAGMENT);
      const label = this.windows.get(window);
      if (label) report(label, window);
    }
    // The last window, so a fragment at the very end is not missed between strides.
    if (text.length >= FRAGMENT) {
      const tail = text.slice(-FRAGMENT);
      const label = this.windows.get(tail);
      if (label) report(label, tail);
    }
    for (const { label, value } of this.whole) if (text.includes(value)) report(label, value);
    return hits;
  }
}

/** Columns that hold ciphertext (sealed with the master key) and are not scanned: `encrypted…`. */
export const ENCRYPTED_COLUMN = /^encrypted/i;
/** What a sealed value looks like (KeyEncryptionService's envelope). */
export const SEALED_FORMAT = /^gcm1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/;

/**
 * Scans every table of the database (public schema) outside the encrypted columns, and checks that every encrypted
 * column holds only sealed values (a plaintext secret there is a hit too).
 */
export async function scanDatabase(databaseUrl: string, index: SecretIndex): Promise<Hit[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const hits: Hit[] = [];
  try {
    const { rows: columns } = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
       ORDER BY table_name, ordinal_position`,
    );
    const tables = new Map<string, string[]>();
    for (const c of columns) tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), c.column_name]);
    for (const [table, names] of tables) {
      const encrypted = names.filter((n) => ENCRYPTED_COLUMN.test(n));
      const dropped = encrypted.map((n) => ` - '${n.replace(/'/g, "''")}'`).join('');
      const pageSize = 5000;
      for (let offset = 0; ; offset += pageSize) {
        const { rows } = await db.query<{ row: string; sealed: (string | null)[] }>(
          `SELECT (to_jsonb(t)${dropped})::text AS row,
                  ARRAY[${encrypted.map((n) => `t."${n}"::text`).join(', ') || 'NULL::text'}] AS sealed
           FROM "${table}" t ORDER BY ctid LIMIT ${pageSize} OFFSET ${offset}`,
        );
        for (const { row, sealed } of rows) {
          hits.push(...index.scan(`db "${table}"`, row));
          for (const value of sealed)
            if (value !== null && !SEALED_FORMAT.test(value))
              hits.push({
                source: `db "${table}" (encrypted column not sealed)`,
                secret: 'plaintext',
                fragment: mask(value),
              });
        }
        if (rows.length < pageSize) break;
      }
    }
  } finally {
    await db.end();
  }
  return hits;
}

/** Scans every Redis key matching `pattern` and its value, whatever its type (BullMQ job hashes and streams too). */
export async function scanRedis(
  redisUrl: string,
  pattern: string,
  index: SecretIndex,
): Promise<{ hits: Hit[]; keys: number }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const hits: Hit[] = [];
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        keys++;
        const type = await redis.type(key);
        let value: unknown;
        if (type === 'string') value = await redis.get(key);
        else if (type === 'hash') value = await redis.hgetall(key);
        else if (type === 'list') value = await redis.lrange(key, 0, -1);
        else if (type === 'set') value = await redis.smembers(key);
        else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await redis.xrange(key, '-', '+');
        hits.push(...index.scan(`redis ${key}`, `${key}\n${JSON.stringify(value)}`));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { hits, keys };
}

/**
 * String values of secret fields in a decrypted sealed object: `private_key` (service account key, Entra client
 * secret), a webhook's `secret`, a manual credential's `password` / `accessToken` — not the mailbox or Apple ID
 * beside them, which the service shows by design.
 */
function secretStrings(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /^private_?key$|^secret$|password|token/i.test(key) ? [value] : [];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => secretStrings(v, Array.isArray(value) ? key : k));
  return [];
}

/**
 * Every secret the database holds sealed — service account keys and Entra client secrets, webhook secrets, manual
 * calendar credentials — decrypted with the master key(s), registered in `index`; plus the master keys themselves.
 * The secrets of record: whatever the service was given, it must not leave anywhere else.
 */
export async function indexSealedSecrets(
  databaseUrl: string,
  masterKey: string | undefined,
  masterKeys: string | undefined,
  index: SecretIndex,
): Promise<number> {
  const keys = parseMasterKeys(masterKey, masterKeys);
  keys.forEach((k) => index.add(`master key v${k.version}`, k.key.toString('base64')));
  const crypto = new KeyEncryptionService({ encryptionKeys: keys } as unknown as AppConfigService);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let count = 0;
  try {
    const sources = [
      {
        table: 'DelegationCredential',
        column: 'encryptedKey',
        version: 'keyVersion',
        aad: (id: string) => id,
      },
      { table: 'Webhook', column: 'encryptedSecret', version: 'secretKeyVersion', aad: (id: string) => id },
      {
        table: 'Credential',
        column: 'encryptedKey',
        version: 'keyVersion',
        aad: (id: string) => `credential:${id}`,
      },
    ];
    for (const s of sources) {
      const { rows } = await db.query<{ id: string; ciphertext: string; version: number }>(
        `SELECT id::text AS id, "${s.column}" AS ciphertext, "${s.version}" AS version
         FROM "${s.table}" WHERE "${s.column}" IS NOT NULL`,
      );
      for (const row of rows) {
        let plain: unknown;
        try {
          plain = crypto.open<unknown>(
            { ciphertext: row.ciphertext, keyVersion: row.version },
            s.aad(row.id),
          );
        } catch {
          continue; // tampered, or sealed under a master key no longer configured: nothing to look for
        }
        for (const secret of secretStrings(plain)) {
          index.add(`${s.table} ${row.id}`, secret);
          count++;
        }
      }
    }
  } finally {
    await db.end();
  }
  return count;
}

/** A readable report of hits (labels and masked fragments only: the report itself must not leak). */
export function describeHits(hits: Hit[]): string {
  return hits.map((h) => `${h.source}: fragment of ${h.secret} (${h.fragment})`).join('\n');
}
