import { Logger } from '@nestjs/common';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, googleCredential } from '../../sandbox/provider-fixtures';
import { ProviderError } from '../provider.errors';
import type { DelegatedCredential } from '../provider.types';
import { GoogleCalendarProvider } from './google-calendar.provider';

const at = (time: string) => new Date(`2030-03-04T${time}:00Z`);

describe('GoogleCalendarProvider calendars, busy times and events (against the fake)', () => {
  let fake: FakeProviderServer;
  let credential: DelegatedCredential;
  let provider: GoogleCalendarProvider;
  let teamCalendar: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    const key = await fake.createGoogleServiceAccount();
    credential = googleCredential(key);
    fake.addGoogleUser('dana@globex.test', { timeZone: 'Europe/Paris' });
    fake.addGoogleUser('erin@globex.test');
    fake.authorizeDomainWideDelegation('globex.test', key.client_id);
    // A team calendar owned by erin and shared read-only with dana.
    teamCalendar = 'team@group.calendar.google.com';
    fake.google.store.addCalendar({
      id: teamCalendar,
      name: 'Team',
      timeZone: 'UTC',
      owner: 'erin@globex.test',
    });
    fake.google.store.share(teamCalendar, 'dana@globex.test', 'reader');
    provider = new GoogleCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
  });

  afterAll(() => fake.close());

  beforeEach(() => {
    fake.clearFaults();
    fake.resetCounters();
  });

  it('lists calendars with roles, and finds the primary one (id = email)', async () => {
    const calendars = await provider.listCalendars(credential, 'dana@globex.test');
    expect(calendars).toEqual([
      {
        externalId: 'dana@globex.test',
        name: 'dana@globex.test',
        primary: true,
        readOnly: false,
        email: 'dana@globex.test',
        timeZone: 'Europe/Paris',
      },
      { externalId: teamCalendar, name: 'Team', primary: false, readOnly: true, timeZone: 'UTC' },
    ]);
    await expect(provider.getPrimaryCalendar(credential, 'dana@globex.test')).resolves.toMatchObject({
      externalId: 'dana@globex.test',
      primary: true,
    });
  });

  it('creates an event with a Meet link, updates and deletes it, round-tripping through the fake', async () => {
    const created = await provider.createEvent(credential, 'dana@globex.test', 'primary', {
      title: 'Intro call',
      description: 'Booked with Cal.com',
      start: at('09:00'),
      end: at('09:30'),
      timeZone: 'Europe/Paris',
      attendees: [{ email: 'guest@example.com', name: 'Guest' }],
      conference: true,
    });
    expect(created).toMatchObject({
      title: 'Intro call',
      start: at('09:00'),
      end: at('09:30'),
      calendarId: 'primary',
    });
    expect(created.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(created.htmlLink).toContain('https://www.google.com/calendar/event?eid=');
    expect(fake.events('google', 'dana@globex.test')).toEqual([
      expect.objectContaining({
        id: created.id,
        title: 'Intro call',
        timeZone: 'Europe/Paris',
        attendees: [{ email: 'guest@example.com', name: 'Guest' }],
      }),
    ]);

    const updated = await provider.updateEvent(credential, 'dana@globex.test', 'primary', created.id, {
      title: 'Intro call (moved)',
      start: at('10:00'),
      end: at('10:45'),
    });
    expect(updated).toMatchObject({
      id: created.id,
      title: 'Intro call (moved)',
      start: at('10:00'),
      end: at('10:45'),
      meetingUrl: created.meetingUrl,
    });

    await provider.deleteEvent(credential, 'dana@globex.test', 'primary', created.id);
    expect(fake.events('google', 'dana@globex.test')).toEqual([]);
    // Deleting again (a retried job) is not an error.
    await expect(
      provider.deleteEvent(credential, 'dana@globex.test', 'primary', created.id),
    ).resolves.toBeUndefined();
  });

  it('returns no meeting link when none was asked for', async () => {
    const event = await provider.createEvent(credential, 'erin@globex.test', 'erin@globex.test', {
      title: 'Focus',
      start: at('13:00'),
      end: at('14:00'),
    });
    expect(event.meetingUrl).toBeUndefined();
    await provider.deleteEvent(credential, 'erin@globex.test', 'erin@globex.test', event.id);
  });

  it('reads busy times of seeded blocks and events, merged and sorted, per calendar', async () => {
    fake.addBusyBlock('google', 'dana@globex.test', { start: at('11:00'), end: at('12:00') });
    fake.addBusyBlock('google', 'erin@globex.test', {
      start: at('08:00'),
      end: at('08:30'),
      calendarId: teamCalendar,
    });
    const event = await provider.createEvent(credential, 'dana@globex.test', 'primary', {
      title: 'Overlap',
      start: at('11:30'),
      end: at('12:15'),
    });

    const busy = await provider.getBusyTimes(
      credential,
      'dana@globex.test',
      ['dana@globex.test', teamCalendar],
      at('00:00'),
      at('23:59'),
    );
    expect(busy).toEqual([
      { start: at('08:00'), end: at('08:30'), source: teamCalendar },
      { start: at('11:00'), end: at('12:15'), source: 'dana@globex.test' },
    ]);
    // Default: the subject's primary calendar.
    await expect(
      provider.getBusyTimes(credential, 'dana@globex.test', [], at('00:00'), at('10:00')),
    ).resolves.toEqual([]);
    await provider.deleteEvent(credential, 'dana@globex.test', 'primary', event.id);
  });

  it('fails closed when a requested calendar cannot be read', async () => {
    const error = await provider
      .getBusyTimes(
        credential,
        'dana@globex.test',
        ['secret@group.calendar.google.com'],
        at('00:00'),
        at('23:00'),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ type: 'CALENDAR_NOT_ACCESSIBLE', scope: 'member' });
  });

  it('CALENDAR_NOT_ACCESSIBLE when writing to a calendar shared read-only; no retry', async () => {
    const error = await provider
      .createEvent(credential, 'dana@globex.test', teamCalendar, {
        title: 'x',
        start: at('15:00'),
        end: at('16:00'),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'CALENDAR_NOT_ACCESSIBLE', permanent: true, scope: 'member' });
    expect(fake.callCount('google.events.insert')).toBe(1);
  });

  it('does not duplicate an event when a create succeeded but its answer was lost (5xx)', async () => {
    fake.injectFault({ route: 'google.events.insert', status: 502, times: 1, afterProcessing: true });
    const event = await provider.createEvent(credential, 'erin@globex.test', 'primary', {
      title: 'Once',
      start: at('17:00'),
      end: at('17:30'),
    });
    expect(fake.callCount('google.events.insert')).toBe(2);
    expect(fake.callCount('google.events.get')).toBe(1);
    expect(fake.events('google', 'erin@globex.test').filter((e) => e.title === 'Once')).toHaveLength(1);
    expect(event.title).toBe('Once');
  });

  it('talks to the real Google hosts when no base URL is configured (unreachable here)', async () => {
    const real = new GoogleCalendarProvider(
      { providerEndpoints: {} },
      { ...FAST_PROVIDER_OPTIONS, requestTimeoutMs: 1_000, maxUnavailableRetries: 0 },
    );
    const error = await real.checkAccess(credential, 'dana@globex.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
    expect(fake.callCount()).toBe(0);
  });
});
