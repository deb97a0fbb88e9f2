/**
 * Keys whose values never reach a log line, wherever they appear in a logged object: credentials in request
 * headers (Cal.com's `Authorization`, `x-cal-secret-key`, `x-cal-client-id`), cookies, service account keys and
 * their `private_key` (also the Entra client secret), and org webhook `secret`s. Matching is by exact key name,
 * so both header spellings are listed.
 */
export const REDACTED_KEYS = [
  'authorization',
  'Authorization',
  'x-cal-secret-key',
  'x-cal-client-id',
  'cookie',
  'Cookie',
  'set-cookie',
  'serviceAccountKey',
  'private_key',
  'secret',
  'clientSecret',
  'client_secret',
] as const;

/** What a redacted value is replaced with. */
export const REDACTED = '[Redacted]';

/**
 * How many levels below the top of a logged object the keys are found: `err.config.headers.Authorization` (an SDK error)
 * is 3 levels down. Each level costs pino one more wildcard pass per line, so this is a bound, not "any depth".
 */
export const REDACTION_DEPTH = 3;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * pino `redact.paths` for every key of REDACTED_KEYS at the top level and under up to REDACTION_DEPTH wildcard
 * levels (`*.*.private_key`), in pino's path syntax (bracket notation for names with dashes).
 */
export function redactionPaths(keys: readonly string[] = REDACTED_KEYS, depth = REDACTION_DEPTH): string[] {
  const paths: string[] = [];
  for (let level = 0; level <= depth; level++) {
    const wildcards = Array.from({ length: level }, () => '*');
    for (const key of keys) {
      const prefix = wildcards.join('.');
      if (IDENTIFIER.test(key)) paths.push(prefix ? `${prefix}.${key}` : key);
      else paths.push(`${prefix}["${key}"]`);
    }
  }
  return paths;
}
