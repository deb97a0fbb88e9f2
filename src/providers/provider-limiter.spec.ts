import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ProviderError } from './provider.errors';
import { type ProviderLimits, RedisProviderLimiter, fixedWindowFor } from './provider-limiter';

describe('fixedWindowFor: fixed windows that never exceed a sliding-window quota', () => {
  it.each([
    [600, 60, { points: 9, durationSeconds: 1 }], // Google: 600 per minute per user
    [10_000, 600, { points: 16, durationSeconds: 1 }], // Graph: 10,000 per 10 minutes per mailbox
    [4, 2, { points: 1, durationSeconds: 1 }],
    [2, 60, { points: 1, durationSeconds: 60 }],
    [1, 30, { points: 1, durationSeconds: 30 }],
  ])('%i per %i s → %j', (limit, window, expected) => {
    expect(fixedWindowFor(limit, window)).toEqual(expected);
  });

  it('the worst case (full windows back to back) stays within the quota', () => {
    for (const [limit, window] of [
      [600, 60],
      [10_000, 600],
      [4, 2],
      [7, 5],
      [100, 1],
    ]) {
      const { points, durationSeconds } = fixedWindowFor(limit, window);
      const windowsMet = window / durationSeconds + 1;
      expect(points * windowsMet).toBeLessThanOrEqual(limit);
    }
  });
});

/** Against the real Redis; two limiter instances on two connections stand for two processes. */
describe('RedisProviderLimiter', () => {
  const prefix = `${process.env.QUEUE_PREFIX ?? 'test'}-limiter-${randomBytes(3).toString('hex')}`;
  const connections: Redis[] = [];
  const limiter = (limits: Partial<ProviderLimits> = {}) => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    connections.push(redis);
    return new RedisProviderLimiter(
      redis,
      {
        google: { requests: 600, windowSeconds: 60 },
        graph: { concurrency: 4, requests: 10_000, windowSeconds: 600 },
        maxWaitMs: 10_000,
        ...limits,
      },
      prefix,
    );
  };

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(async () => {
    const [redis] = connections;
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<
      string[]
    >)
      if (keys.length) await redis.del(...keys);
    for (const connection of connections) connection.disconnect();
  });

  it('holds Graph requests to one mailbox at 4 in flight across processes; other mailboxes are not held up', async () => {
    const processes = [limiter(), limiter()];
    let inFlight = 0;
    let max = 0;
    const request = async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(60);
      inFlight--;
    };
    let otherDone = false;
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        processes[i % 2].graphRequest('app@tenant', 'Jane@acme.test', request),
      ),
      processes[0].graphRequest('app@tenant', 'other@acme.test', () => {
        otherDone = true;
        return Promise.resolve();
      }),
    ]);
    expect(max).toBeLessThanOrEqual(4);
    expect(max).toBeGreaterThanOrEqual(2);
    expect(otherDone).toBe(true);
  });

  it('a request that cannot get a slot in time fails RATE_LIMITED, and the slots are released after errors', async () => {
    const impatient = limiter({
      graph: { concurrency: 1, requests: 10_000, windowSeconds: 600 },
      maxWaitMs: 100,
    });
    let release!: () => void;
    const holding = impatient.graphRequest(
      'app@tenant',
      'busy@acme.test',
      () => new Promise<void>((r) => (release = r)),
    );
    await sleep(50);
    const refused = await impatient
      .graphRequest('app@tenant', 'busy@acme.test', () => Promise.resolve())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ type: 'RATE_LIMITED', platform: 'office365', retryAfterMs: 1000 });
    release();
    await holding;
    await expect(
      impatient.graphRequest('app@tenant', 'busy@acme.test', () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await expect(
      impatient.graphRequest('app@tenant', 'busy@acme.test', () => Promise.resolve(7)),
    ).resolves.toBe(7);
  });

  it('spaces one Google user’s requests to the per-user rate, shared across processes; other users are not held up', async () => {
    // 4 per 2 s sliding window → 1 per 1-second window.
    const processes = [
      limiter({ google: { requests: 4, windowSeconds: 2 } }),
      limiter({ google: { requests: 4, windowSeconds: 2 } }),
    ];
    const started = Date.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        processes[i % 2].googleRequest('client', 'ann@acme.test').then(() => done.push(Date.now() - started)),
      ),
    );
    done.sort((a, b) => a - b);
    // Lower bounds only: a slower machine only spaces them further.
    expect(done[1] - done[0]).toBeGreaterThanOrEqual(900);
    expect(done[2] - done[0]).toBeGreaterThanOrEqual(1900);
    const other = Date.now();
    await processes[0].googleRequest('client', 'ben@acme.test');
    expect(Date.now() - other).toBeLessThan(900);
  });

  it('fails RATE_LIMITED with the wait left when it is longer than allowed', async () => {
    const impatient = limiter({ google: { requests: 2, windowSeconds: 10 }, maxWaitMs: 200 });
    await impatient.googleRequest('client', 'cy@acme.test');
    const refused = await impatient.googleRequest('client', 'cy@acme.test').catch((e: unknown) => e);
    expect(refused).toMatchObject({ type: 'RATE_LIMITED', platform: 'google', scope: 'none' });
    expect((refused as ProviderError).retryAfterMs).toBeGreaterThan(200);
  });
});
