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
});
