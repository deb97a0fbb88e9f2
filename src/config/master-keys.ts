export interface MasterKey {
  version: number;
  key: Buffer;
}

function decodeKey(variable: string, label: string, value: string): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${variable}: ${label} is not base64`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${variable}: ${label} must decode to exactly 32 bytes (got ${key.length}); use \`openssl rand -base64 32\``,
    );
  }
  return key;
}

/**
 * Parses the master keys that encrypt service account keys at rest. Returned newest (highest version) first.
 * Error messages name the variable and never include key material.
 */
export function parseMasterKeys(single: string | undefined, multiple: string | undefined): MasterKey[] {
  if (multiple) {
    const keys = multiple
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair, index) => {
        const match = /^(\d{1,6}):(.+)$/.exec(pair);
        if (!match) {
          throw new Error(
            `SERVICE_ACCOUNT_ENCRYPTION_KEYS: entry ${index + 1} must look like <version>:<base64 key>`,
          );
        }
        const version = Number(match[1]);
        if (version < 1) throw new Error('SERVICE_ACCOUNT_ENCRYPTION_KEYS: versions start at 1');
        return {
          version,
          key: decodeKey('SERVICE_ACCOUNT_ENCRYPTION_KEYS', `key version ${version}`, match[2]),
        };
      });
    if (!keys.length) throw new Error('SERVICE_ACCOUNT_ENCRYPTION_KEYS: no keys given');
    const versions = new Set(keys.map((k) => k.version));
    if (versions.size !== keys.length)
      throw new Error('SERVICE_ACCOUNT_ENCRYPTION_KEYS: a version appears twice');
    if (single) {
      const legacy = decodeKey('SERVICE_ACCOUNT_ENCRYPTION_KEY', 'the key', single);
      if (!versions.has(1)) keys.push({ version: 1, key: legacy });
    }
    return keys.sort((a, b) => b.version - a.version);
  }
  return [{ version: 1, key: decodeKey('SERVICE_ACCOUNT_ENCRYPTION_KEY', 'the key', single ?? '') }];
}
