import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { warnOnUnsafeRedisSettings } from './redis-settings';

/** A connected Redis answering INFO with the given settings. */
const redisWith = (policy: string, aof: '0' | '1') =>
  ({
    status: 'ready',
    info: (section: string) =>
      Promise.resolve(
        section === 'memory'
          ? `# Memory\r\nused_memory:1\r\nmaxmemory_policy:${policy}\r\n`
          : `# Persistence\r\naof_enabled:${aof}\r\n`,
      ),
  }) as unknown as Redis;

describe('warnOnUnsafeRedisSettings', () => {
  const warnings = async (redis: Redis) => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await warnOnUnsafeRedisSettings(redis, logger);
    return warn.mock.calls.map((call) => String(call[0]));
  };

  it('is silent for noeviction with AOF on', async () => {
    expect(await warnings(redisWith('noeviction', '1'))).toEqual([]);
  });

  it('warns, naming the fix, for an evicting policy and for AOF off', async () => {
    const said = await warnings(redisWith('allkeys-lru', '0'));
    expect(said).toHaveLength(2);
    expect(said[0]).toContain('maxmemory-policy is "allkeys-lru": BullMQ requires "noeviction"');
    expect(said[1]).toContain('AOF) is off');
  });

  it('never fails the boot when INFO is refused', async () => {
    const refusing = { status: 'ready', info: () => Promise.reject(new Error('NOPERM')) } as unknown as Redis;
    expect(await warnings(refusing)).toEqual([expect.stringContaining('NOPERM')]);
  });
});
