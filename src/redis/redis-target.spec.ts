import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { validateEnv } from '../config/env.validation';
import { parseSentinels, redisTarget } from './redis-target';

describe('redisTarget', () => {
  it('connects to the host of REDIS_URL, with its credentials, database and TLS', () => {
    expect(redisTarget('rediss://app:p%40ss@redis.internal:6380/2')).toEqual({
      options: {
        host: 'redis.internal',
        port: 6380,
        username: 'app',
        password: 'p@ss',
        db: 2,
        tls: {},
      },
      where: 'redis.internal:6380',
      source: 'REDIS_URL',
    });
    expect(redisTarget('redis://127.0.0.1').options).toMatchObject({ host: '127.0.0.1', port: 6379 });
  });

  it('with Sentinel: asks the sentinels for the master, REDIS_URL still gives its password, database and TLS', () => {
    const target = redisTarget('rediss://:secret@unused:1/3', {
      sentinels: parseSentinels('s1:26379, [::1]:26380'),
      masterName: 'mymaster',
      password: 'sentinel-secret',
    });
    expect(target.options).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      sentinelPassword: 'sentinel-secret',
      password: 'secret',
      db: 3,
      tls: {},
      enableTLSForSentinelMode: true,
    });
    expect(target.options).not.toHaveProperty('host');
    expect(target.where).toBe('master "mymaster" via sentinels s1:26379,[::1]:26380');
    expect(target.source).toBe('REDIS_SENTINELS');
  });
});

describe('Sentinel configuration (validateEnv)', () => {
  const base = {
    DATABASE_URL: 'postgresql://x@h/db',
    SERVICE_ACCOUNT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const problems = (env: Record<string, string>): string => {
    try {
      validateEnv({ ...base, ...env });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts a host:port list with a master name', () => {
    expect(
      problems({
        REDIS_SENTINELS: 'a.example:26379,10.0.0.2:26379,[fd00::1]:26379',
        REDIS_SENTINEL_MASTER_NAME: 'm',
      }),
    ).toBe('');
  });

  it('requires the master name with sentinels, and sentinels with a master name or sentinel password', () => {
    expect(problems({ REDIS_SENTINELS: 'a:26379' })).toMatch(/REDIS_SENTINEL_MASTER_NAME: is required/);
    expect(problems({ REDIS_SENTINEL_MASTER_NAME: 'm' })).toMatch(/REDIS_SENTINELS: is required/);
    expect(problems({ REDIS_SENTINEL_PASSWORD: 'x' })).toMatch(/REDIS_SENTINELS: is required/);
  });

  it.each(['a', 'a:', ':26379', 'a:0', 'a:26379;b:26379', 'redis://a:26379'])('refuses %p', (list) => {
    expect(problems({ REDIS_SENTINELS: list, REDIS_SENTINEL_MASTER_NAME: 'm' })).toMatch(
      /REDIS_SENTINELS: must be a comma-separated list of host:port/,
    );
  });

  it('refuses a port above 65535', () => {
    expect(problems({ REDIS_SENTINELS: 'a:70000', REDIS_SENTINEL_MASTER_NAME: 'm' })).toMatch(
      /REDIS_SENTINELS: every port must be 1-65535/,
    );
  });
});

describe('REDIS_URL validation never shows its password', () => {
  const base = {
    DATABASE_URL: 'postgresql://x@h/db',
    SERVICE_ACCOUNT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const failure = (url: string): unknown => {
    try {
      validateEnv({ ...base, REDIS_URL: url });
      return null;
    } catch (error) {
      return error;
    }
  };

  it.each([
    ['redis://u:hunter2@host:99999', /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://:hunter2@[::1', /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://:hunter2@host/abc', /REDIS_URL: the database .* must be an integer 0-/],
    ['redis://:hunter2@host/1.5', /REDIS_URL: the database .* must be an integer 0-/],
  ])('refuses %p at validation, naming the variable only', (url, message) => {
    const error = failure(url);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect(inspect(error)).not.toContain('hunter2');
  });

  it('redisTarget() on an unparsable URL throws without the URL (it would be logged with its password)', () => {
    let error: unknown;
    try {
      redisTarget('redis://u:hunter2@host:99999');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(inspect(error)).not.toContain('hunter2');
  });
});
