import { addDays, ianaTimeZone, wallTimeIn, wallTimeToInstant } from './time-zones';

describe('provider time-zone labels', () => {
  it.each([
    ['UTC', 'UTC'],
    ['tzone://Microsoft/Utc', 'UTC'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['Romance Standard Time', 'Europe/Paris'],
    ['India Standard Time', 'Asia/Calcutta'],
    ['America/Los_Angeles', 'America/Los_Angeles'],
    ['america/los_angeles', 'America/Los_Angeles'],
    ['Europe/Madrid', 'Europe/Madrid'],
  ])('%s names %s', (label, zone) => {
    expect(ianaTimeZone(label)).toBe(zone);
  });

  it.each(['', '  ', 'Customized Time Zone', 'Mars Standard Time', 'Not/AZone', undefined, null])(
    '%s names no zone',
    (label) => {
      expect(ianaTimeZone(label)).toBeUndefined();
    },
  );

  it('converts wall-clock times both ways across DST changes', () => {
    expect(wallTimeToInstant('2026-03-08T01:30:00', 'America/Los_Angeles')).toEqual(
      new Date('2026-03-08T09:30:00Z'),
    );
    expect(wallTimeToInstant('2026-03-08T03:30:00', 'America/Los_Angeles')).toEqual(
      new Date('2026-03-08T10:30:00Z'),
    );
    expect(wallTimeToInstant('2026-06-12', 'America/Los_Angeles')).toEqual(new Date('2026-06-12T07:00:00Z'));
    expect(wallTimeToInstant('2026-06-12T10:00:00.1234567', 'UTC')).toEqual(
      new Date('2026-06-12T10:00:00.123Z'),
    );
    expect(wallTimeToInstant('12 June', 'UTC')).toBeUndefined();
    expect(wallTimeIn(new Date('2026-06-12T07:00:00Z'), 'America/Los_Angeles')).toBe('2026-06-12T00:00:00');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('a wall time skipped by DST lands after the gap, never on the hour before it', () => {
    // 02:30 does not exist in New York on 2026-03-08 (02:00 EST → 03:00 EDT): 03:30 EDT, as RFC 5545 / Temporal.
    expect(wallTimeToInstant('2026-03-08T02:30', 'America/New_York')).toEqual(
      new Date('2026-03-08T07:30:00Z'),
    );
    // London 01:30 on 2026-03-29 (01:00 GMT → 02:00 BST) is 02:30 BST.
    expect(wallTimeToInstant('2026-03-29T01:30', 'Europe/London')).toEqual(new Date('2026-03-29T01:30:00Z'));
  });

  it('an all-day date whose midnight DST skips starts at 01:00 that day (America/Santiago, Asia/Beirut)', () => {
    // Chile moves to DST at 24:00 on Saturday 2026-09-05: 2026-09-06 starts at 01:00 -03 (04:00Z), not 23:00 the
    // day before; 2026-09-05 therefore ends at 04:00Z as well.
    expect(wallTimeToInstant('2026-09-06', 'America/Santiago')).toEqual(new Date('2026-09-06T04:00:00Z'));
    expect(wallTimeToInstant('2026-09-05', 'America/Santiago')).toEqual(new Date('2026-09-05T04:00:00Z'));
    // Lebanon: 2026-03-29 00:00 EET → 01:00 EEST.
    expect(wallTimeToInstant('2026-03-29', 'Asia/Beirut')).toEqual(new Date('2026-03-28T22:00:00Z'));
  });

  it('a wall time repeated by DST is its earlier instant', () => {
    expect(wallTimeToInstant('2026-11-01T01:30', 'America/New_York')).toEqual(
      new Date('2026-11-01T05:30:00Z'),
    );
    // Lord Howe's half-hour DST ends at 02:00 → 01:30 on 2026-04-05.
    expect(wallTimeToInstant('2026-04-05T01:45', 'Australia/Lord_Howe')).toEqual(
      new Date('2026-04-04T14:45:00Z'),
    );
  });

  it('quarter-hour zones and years before 100 are read as written', () => {
    expect(wallTimeToInstant('2026-06-12', 'Asia/Kathmandu')).toEqual(new Date('2026-06-11T18:15:00Z'));
    expect(wallTimeToInstant('0050-01-01', 'UTC')).toEqual(new Date('0050-01-01T00:00:00Z'));
    expect(addDays('0050-12-31', 1)).toBe('0051-01-01');
  });
});
