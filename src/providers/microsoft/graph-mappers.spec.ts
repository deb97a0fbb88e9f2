import { allDaySpan, fromGraphDateTime, toGraphDateTime, toGraphEvent } from './graph-mappers';

describe('Graph date-times', () => {
  it('writes wall-clock time in the event zone, across DST', () => {
    expect(toGraphDateTime(new Date('2030-01-15T08:00:00Z'), 'Europe/Berlin')).toEqual({
      dateTime: '2030-01-15T09:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(toGraphDateTime(new Date('2030-07-15T08:00:00Z'), 'Europe/Berlin')).toEqual({
      dateTime: '2030-07-15T10:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(toGraphDateTime(new Date('2030-07-15T23:30:00Z'), 'UTC')).toEqual({
      dateTime: '2030-07-15T23:30:00',
      timeZone: 'UTC',
    });
  });

  it('reads UTC answers without offset, and values with one', () => {
    expect(fromGraphDateTime({ dateTime: '2030-07-15T08:00:00.0000000', timeZone: 'UTC' })).toEqual(
      new Date('2030-07-15T08:00:00Z'),
    );
    expect(
      fromGraphDateTime({ dateTime: '2030-07-15T10:00:00+02:00', timeZone: 'W. Europe Standard Time' }),
    ).toEqual(new Date('2030-07-15T08:00:00Z'));
  });

  it.each([
    // label, wall time, instant
    ['Pacific Standard Time', '2026-06-12T13:00:00.0000000', '2026-06-12T20:00:00Z'], // Windows name, PDT
    ['Pacific Standard Time', '2026-01-12T13:00:00.0000000', '2026-01-12T21:00:00Z'], // Windows name, PST
    ['America/Los_Angeles', '2026-06-12T13:00:00.0000000', '2026-06-12T20:00:00Z'], // IANA name
    ['W. Europe Standard Time', '2026-03-29T03:30:00', '2026-03-29T01:30:00Z'], // right after the DST jump
    ['India Standard Time', '2026-06-12T13:00:00', '2026-06-12T07:30:00Z'], // half-hour offset
    ['tzone://Microsoft/Utc', '2026-06-12T13:00:00', '2026-06-12T13:00:00Z'],
    ['pacific standard time', '2026-06-12T13:00:00', '2026-06-12T20:00:00Z'], // any casing
  ])('reads a time labelled %s as that zone', (timeZone, dateTime, instant) => {
    expect(fromGraphDateTime({ dateTime, timeZone })).toEqual(new Date(instant));
  });

  it.each(['Customized Time Zone', '', 'Not/AZone', 'Mars Standard Time'])(
    'refuses a time labelled "%s" rather than guessing (PROVIDER_UNAVAILABLE, not retried inline)',
    (timeZone) => {
      expect(() => fromGraphDateTime({ dateTime: '2026-06-12T13:00:00', timeZone })).toThrow(
        expect.objectContaining({ type: 'PROVIDER_UNAVAILABLE', platform: 'office365' }),
      );
    },
  );

  it('reads an all-day event as the local day in the given zone, whatever its label says', () => {
    const event = {
      id: 'e1',
      isAllDay: true,
      start: { dateTime: '2026-06-12T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-06-13T00:00:00.0000000', timeZone: 'UTC' },
    };
    expect(allDaySpan(event, 'America/Los_Angeles')).toEqual({
      start: new Date('2026-06-12T07:00:00Z'),
      end: new Date('2026-06-13T07:00:00Z'),
    });
  });

  it('builds PATCH bodies with only the given fields, and Teams only on request', () => {
    expect(toGraphEvent({ title: 'x' })).toEqual({ subject: 'x' });
    expect(toGraphEvent({ conference: true }, 'tx')).toEqual({
      transactionId: 'tx',
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
    });
  });
});
