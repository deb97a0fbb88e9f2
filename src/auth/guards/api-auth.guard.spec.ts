import { isExpired } from './api-auth.guard';

describe('isExpired (exact API key expiry)', () => {
  const at = new Date('2026-06-12T10:00:00.000Z');

  it('is false up to and including the expiry instant, true one millisecond after', () => {
    expect(isExpired(at, at.getTime() - 1)).toBe(false);
    expect(isExpired(at, at.getTime())).toBe(false);
    expect(isExpired(at, at.getTime() + 1)).toBe(true);
  });

  it('compares instants, not days: later the same UTC day is expired', () => {
    expect(isExpired(at, Date.parse('2026-06-12T10:02:00.000Z'))).toBe(true);
    expect(isExpired(new Date('2026-06-12T00:00:00.000Z'), Date.parse('2026-06-12T08:00:00.000Z'))).toBe(
      true,
    );
  });

  it('never expires a key without expiresAt', () => {
    expect(isExpired(null)).toBe(false);
  });
});
