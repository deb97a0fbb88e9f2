import { ProviderError } from '../providers/provider.errors';
import { isThrottle, throttleDelayMs } from './throttling';

describe('throttling', () => {
  const rateLimited = (retryAfterMs?: number) =>
    new ProviderError('RATE_LIMITED', 'throttled', 'office365', retryAfterMs);

  it('treats RATE_LIMITED, and any transient error with Retry-After, as throttling', () => {
    expect(isThrottle(rateLimited())).toBe(true);
    expect(isThrottle(new ProviderError('PROVIDER_UNAVAILABLE', 'down', 'google', 5000))).toBe(true);
    expect(isThrottle(new ProviderError('PROVIDER_UNAVAILABLE', 'down', 'google'))).toBe(false);
    expect(isThrottle(new ProviderError('CLIENT_NOT_AUTHORIZED', 'no', 'google', 5000))).toBe(false);
    expect(isThrottle(new Error('boom'))).toBe(false);
  });

  it('waits at least Retry-After, with at most 10 % (≤ 5 s) of jitter on top', () => {
    for (let i = 0; i < 200; i++) {
      const delay = throttleDelayMs(rateLimited(300_000), 0);
      expect(delay).toBeGreaterThanOrEqual(300_000);
      expect(delay).toBeLessThanOrEqual(305_000);
      const short = throttleDelayMs(rateLimited(4000), 3);
      expect(short).toBeGreaterThanOrEqual(4000);
      expect(short).toBeLessThanOrEqual(4400);
    }
  });

  it('without Retry-After doubles from 1 s per throttle, capped at 5 minutes', () => {
    const delayAfter = (throttles: number) => throttleDelayMs(rateLimited(), throttles);
    expect(delayAfter(0)).toBeGreaterThanOrEqual(1000);
    expect(delayAfter(0)).toBeLessThanOrEqual(1100);
    expect(delayAfter(3)).toBeGreaterThanOrEqual(8000);
    expect(delayAfter(3)).toBeLessThanOrEqual(8800);
    expect(delayAfter(40)).toBeGreaterThanOrEqual(300_000);
    expect(delayAfter(40)).toBeLessThanOrEqual(305_000);
  });
});
