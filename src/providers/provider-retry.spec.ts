import { ProviderError } from './provider.errors';
import { backoffDelay, noInlineRetry, parseRetryAfter, withRetry } from './provider-retry';

const policy = {
  maxUnavailableRetries: 2,
  initialBackoffMs: 10,
  maxBackoffMs: 40,
  maxRateLimitRetries: 1,
  maxInlineRetryAfterMs: 50,
};

/** A run() that fails with the given errors in order, then returns 'ok'. */
function failing(...errors: ProviderError[]) {
  const attempts: number[] = [];
  const run = (attempt: number) => {
    attempts.push(attempt);
    const error = errors.shift();
    return error ? Promise.reject(error) : Promise.resolve('ok');
  };
  return { run, attempts };
}

const unavailable = () => new ProviderError('PROVIDER_UNAVAILABLE', 'down', 'google');
const limited = (ms?: number) => new ProviderError('RATE_LIMITED', 'slow down', 'office365', ms);

describe('withRetry', () => {
  it('retries PROVIDER_UNAVAILABLE up to maxUnavailableRetries, then throws the last error', async () => {
    const { run, attempts } = failing(unavailable(), unavailable(), unavailable());
    await expect(withRetry(run, policy)).rejects.toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('never retries permanent errors', async () => {
    const { run, attempts } = failing(new ProviderError('INVALID_KEY', 'bad key', 'google'));
    await expect(withRetry(run, policy)).rejects.toMatchObject({ type: 'INVALID_KEY' });
    expect(attempts).toEqual([0]);
  });

  it('does not retry errors marked noInlineRetry (timeouts)', async () => {
    const { run, attempts } = failing(noInlineRetry(unavailable()));
    await expect(withRetry(run, policy)).rejects.toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
    expect(attempts).toEqual([0]);
  });

  it('waits Retry-After when short enough, and reports the wait', async () => {
    const { run } = failing(limited(30));
    const waits: number[] = [];
    const started = Date.now();
    await expect(withRetry(run, policy, (_e, delay) => waits.push(delay))).resolves.toBe('ok');
    expect(waits).toEqual([30]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('throws RATE_LIMITED at once when Retry-After exceeds the inline maximum', async () => {
    const { run, attempts } = failing(limited(60_000));
    await expect(withRetry(run, policy)).rejects.toMatchObject({ retryAfterMs: 60_000 });
    expect(attempts).toEqual([0]);
  });

  it('bounds rate-limit waits by maxRateLimitRetries', async () => {
    const { run, attempts } = failing(limited(1), limited(1), limited(1));
    await expect(withRetry(run, policy)).rejects.toMatchObject({ type: 'RATE_LIMITED' });
    expect(attempts).toEqual([0, 1]);
  });

  it('passes non-provider errors through untouched', async () => {
    const bug = new TypeError('bug');
    await expect(withRetry(() => Promise.reject(bug), policy)).rejects.toBe(bug);
  });
});

describe('parseRetryAfter / backoffDelay', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('doubles per retry within [ceiling/2, ceiling], capped', () => {
    for (let i = 0; i < 20; i++) {
      const first = backoffDelay(0, policy);
      const third = backoffDelay(2, policy);
      const capped = backoffDelay(10, policy);
      expect(first).toBeGreaterThanOrEqual(5);
      expect(first).toBeLessThanOrEqual(10);
      expect(third).toBeGreaterThanOrEqual(20);
      expect(third).toBeLessThanOrEqual(40);
      expect(capped).toBeLessThanOrEqual(40);
    }
  });
});
