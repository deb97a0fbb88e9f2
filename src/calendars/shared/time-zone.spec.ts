import { formatInTimeZone, parseQueryDate } from './time-zone';

describe('parseQueryDate', () => {
  it('a date is its midnight in the asked zone; with endOfDay the next midnight', () => {
    expect(parseQueryDate('2026-06-12', 'America/Los_Angeles')?.toISOString()).toBe(
      '2026-06-12T07:00:00.000Z',
    );
    expect(parseQueryDate('2026-06-12', 'America/Los_Angeles', true)?.toISOString()).toBe(
      '2026-06-13T07:00:00.000Z',
    );
    expect(parseQueryDate('2026-12-31', 'Asia/Kathmandu', true)?.toISOString()).toBe(
      '2026-12-31T18:15:00.000Z',
    );
  });

  it('a day whose midnight DST skips starts when the clocks resume, and the day before keeps its last hour', () => {
    // America/Santiago: 2026-09-06 00:00 (-04) does not exist, clocks go to 01:00 (-03) = 04:00Z.
    expect(parseQueryDate('2026-09-06', 'America/Santiago')?.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(parseQueryDate('2026-09-05', 'America/Santiago', true)?.toISOString()).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    expect(formatInTimeZone(new Date('2026-09-06T04:00:00Z'), 'America/Santiago')).toBe(
      '2026-09-06T01:00:00-03:00',
    );
  });

  it('a day DST repeats an hour of starts at its (only) midnight, across fall back', () => {
    expect(parseQueryDate('2026-11-01', 'America/New_York')?.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(parseQueryDate('2026-11-01', 'America/New_York', true)?.toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });

  it('years are read as written (0050 is year 50, not 1950)', () => {
    expect(parseQueryDate('0050-01-01', 'UTC')?.toISOString()).toBe('0050-01-01T00:00:00.000Z');
    expect(parseQueryDate('0001-01-01', 'UTC')?.getUTCFullYear()).toBe(1);
  });

  it('days that do not exist and other shapes are null; date-times need Z or an offset', () => {
    expect(parseQueryDate('2026-02-30', 'UTC')).toBeNull();
    expect(parseQueryDate('2026-13-01', 'UTC')).toBeNull();
    expect(parseQueryDate('2026-06-12T10:00', 'UTC')).toBeNull();
    expect(parseQueryDate('tomorrow', 'UTC')).toBeNull();
    expect(parseQueryDate('2026-06-12T10:00:00+02:00', 'Asia/Tokyo')?.toISOString()).toBe(
      '2026-06-12T08:00:00.000Z',
    );
  });
});
