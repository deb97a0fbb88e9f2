import { zonedWallTimeToUtc } from './fake-time';

describe('zonedWallTimeToUtc (the sandbox reading Graph { dateTime, timeZone })', () => {
  const at = (dateTime: string, zone: string) => zonedWallTimeToUtc(dateTime, zone).toISOString();

  it('an ordinary wall time, and one with its own offset', () => {
    expect(at('2026-06-12T09:00:00', 'America/Los_Angeles')).toBe('2026-06-12T16:00:00.000Z');
    expect(at('2026-06-12T09:00:00+02:00', 'America/Los_Angeles')).toBe('2026-06-12T07:00:00.000Z');
  });

  it('a wall time DST skips lands after the gap', () => {
    // America/Santiago: 2026-09-06 00:00 (-04) does not exist; the day starts at 01:00 (-03).
    expect(at('2026-09-06T00:00:00', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    // New York: 02:30 on 2026-03-08 does not exist; read with EST it is 03:30 EDT.
    expect(at('2026-03-08T02:30:00', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  it('a wall time DST repeats is its earlier instant', () => {
    expect(at('2026-11-01T01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });
});
