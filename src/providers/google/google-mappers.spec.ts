import { eventTime } from './google-mappers';

describe('Google event times, read with their own zone', () => {
  it.each([
    [{ dateTime: '2026-06-12T13:00:00-07:00' }, undefined, '2026-06-12T20:00:00Z'],
    [{ dateTime: '2026-06-12T13:00:00Z', timeZone: 'Europe/Madrid' }, undefined, '2026-06-12T13:00:00Z'],
    [{ dateTime: '2026-06-12T13:00:00', timeZone: 'America/Los_Angeles' }, undefined, '2026-06-12T20:00:00Z'],
    // All-day: midnight of the date in the event's zone, else the calendar's — never UTC midnight.
    [{ date: '2026-06-12', timeZone: 'America/Los_Angeles' }, undefined, '2026-06-12T07:00:00Z'],
    [{ date: '2026-06-12' }, 'Asia/Tokyo', '2026-06-11T15:00:00Z'],
  ])('%j (calendar zone %s) is %s', (time, calendarZone, instant) => {
    expect(eventTime(time, 'the start', calendarZone)).toEqual(new Date(instant));
  });

  it('refuses an all-day date with no zone to place it in, rather than reading it as UTC', () => {
    expect(() => eventTime({ date: '2026-06-12' }, 'the start of event e1')).toThrow(
      expect.objectContaining({ type: 'PROVIDER_UNAVAILABLE', platform: 'google' }),
    );
  });
});
