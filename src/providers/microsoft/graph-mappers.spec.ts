import { fromGraphDateTime, toGraphDateTime, toGraphEvent } from './graph-mappers';

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

  it('builds PATCH bodies with only the given fields, and Teams only on request', () => {
    expect(toGraphEvent({ title: 'x' })).toEqual({ subject: 'x' });
    expect(toGraphEvent({ conference: true }, 'tx')).toEqual({
      transactionId: 'tx',
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
    });
  });
});
