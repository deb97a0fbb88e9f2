import { randomBytes } from 'node:crypto';
import { parseMasterKeys } from './master-keys';
import { validateEnv } from './env.validation';

const key = (): string => randomBytes(32).toString('base64');

describe('parseMasterKeys', () => {
  it('takes a single key as version 1', () => {
    expect(parseMasterKeys(key(), undefined).map((k) => k.version)).toEqual([1]);
  });
  it('orders versioned keys newest first', () => {
    expect(parseMasterKeys(undefined, `1:${key()}, 3:${key()},2:${key()}`).map((k) => k.version)).toEqual([
      3, 2, 1,
    ]);
  });
  it('rejects a key that is not 32 bytes, naming the variable but not the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseMasterKeys(short, undefined)).toThrow(
      /SERVICE_ACCOUNT_ENCRYPTION_KEY: .*exactly 32 bytes \(got 16\)/,
    );
    try {
      parseMasterKeys(short, undefined);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });
  it('rejects malformed pairs and duplicate versions', () => {
    expect(() => parseMasterKeys(undefined, 'abc')).toThrow(/entry 1 must look like/);
    const k = key();
    expect(() => parseMasterKeys(undefined, `1:${k},1:${k}`)).toThrow(/appears twice/);
  });
});

describe('validateEnv', () => {
  const base = { DATABASE_URL: 'postgresql://x@h/db', SERVICE_ACCOUNT_ENCRYPTION_KEY: key() };
  it('applies defaults', () => {
    const env = validateEnv(base);
    expect(env).toMatchObject({
      PORT: 3000,
      API_KEY_PREFIX: 'cal_',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DOCS_ENABLED: true,
    });
  });
  it('names every missing or malformed variable', () => {
    expect(() => validateEnv({ PORT: 'abc', GOOGLE_API_BASE_URL: 'not a url' })).toThrow(
      /DATABASE_URL[\s\S]*PORT[\s\S]*GOOGLE_API_BASE_URL[\s\S]*SERVICE_ACCOUNT_ENCRYPTION_KEY: is required/,
    );
  });
  it('parses booleans and numbers from strings', () => {
    expect(validateEnv({ ...base, PORT: '8080', DOCS_ENABLED: 'false' })).toMatchObject({
      PORT: 8080,
      DOCS_ENABLED: false,
    });
  });
});
