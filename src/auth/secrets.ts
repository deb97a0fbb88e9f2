import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two hex digests (lengths are fixed, so no length leak). */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new API key: prefix + 32 random bytes as hex. Only its hash (of the part after the prefix) is stored. */
export function generateApiKey(prefix: string): { key: string; hashedKey: string } {
  const secret = randomBytes(32).toString('hex');
  return { key: `${prefix}${secret}`, hashedKey: sha256Hex(secret) };
}

export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
