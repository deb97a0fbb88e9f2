import { Logger } from '@nestjs/common';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, microsoftCredential } from '../../sandbox/provider-fixtures';
import type { DelegatedCredential } from '../provider.types';
import { MicrosoftCalendarProvider } from './microsoft-calendar.provider';

const at = (time: string) => new Date(`2030-03-04T${time}:00Z`);

describe('MicrosoftCalendarProvider calendars, busy times and events (against the fake)', () => {
  let fake: FakeProviderServer;
  let credential: DelegatedCredential;
  let provider: MicrosoftCalendarProvider;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    const tenantId = fake.createMicrosoftTenant({ domain: 'fabrikam.test' }).id;
    fake.addMicrosoftUser(tenantId, 'frank@fabrikam.test', { displayName: 'Frank' });
    fake.addMicrosoftUser(tenantId, 'grace@fabrikam.test');
    credential = microsoftCredential(fake.createMicrosoftApp({ tenantId, consent: true }));
    provider = new MicrosoftCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
  });

  afterAll(() => fake.close());

  beforeEach(() => {
    fake.microsoft.maxPageSize = 1000;
    fake.clearFaults();
    fake.resetCounters();
  });

  it('lists calendars and the primary (default) calendar', async () => {
    const [calendar] = await provider.listCalendars(credential, 'frank@fabrikam.test');
    expect(calendar).toMatchObject({
      name: 'Calendar',
      primary: true,
      readOnly: false,
      email: 'frank@fabrikam.test',
    });
    expect(calendar.externalId).toMatch(/=$/);
    await expect(provider.getPrimaryCalendar(credential, 'frank@fabrikam.test')).resolves.toEqual(calendar);
  });

  it('creates a Teams meeting in the organizer zone, updates and deletes it', async () => {
    const [calendar] = await provider.listCalendars(credential, 'frank@fabrikam.test');
    const created = await provider.createEvent(credential, 'frank@fabrikam.test', calendar.externalId, {
      title: 'Demo',
      description: 'Booked with Cal.com',
      start: at('08:00'),
      end: at('08:30'),
      timeZone: 'Europe/Berlin', // sent as 09:00 Berlin wall time; must land on 08:00Z
      attendees: [{ email: 'guest@example.com' }],
      location: 'Online',
      conference: true,
    });
    expect(created).toMatchObject({
      title: 'Demo',
      start: at('08:00'),
      end: at('08:30'),
      calendarId: calendar.externalId,
    });
    expect(created.meetingUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(created.htmlLink).toContain('https://outlook.office365.com/owa/');
    expect(fake.events('office365', 'frank@fabrikam.test')).toEqual([
      expect.objectContaining({
        id: created.id,
        timeZone: 'Europe/Berlin',
        start: at('08:00'),
        location: 'Online',
      }),
    ]);

    const updated = await provider.updateEvent(
      credential,
      'frank@fabrikam.test',
      calendar.externalId,
      created.id,
      {
        title: 'Demo (moved)',
        start: at('12:00'),
        end: at('13:00'),
        timeZone: 'America/New_York',
      },
    );
    expect(updated).toMatchObject({
      id: created.id,
      title: 'Demo (moved)',
      start: at('12:00'),
      end: at('13:00'),
      meetingUrl: created.meetingUrl,
    });

    await provider.deleteEvent(credential, 'frank@fabrikam.test', calendar.externalId, created.id);
    expect(fake.events('office365', 'frank@fabrikam.test')).toEqual([]);
    await expect(
      provider.deleteEvent(credential, 'frank@fabrikam.test', calendar.externalId, created.id),
    ).resolves.toBeUndefined();
  });

  it('creates without a meeting when none was asked for, on the primary calendar alias', async () => {
    const event = await provider.createEvent(credential, 'grace@fabrikam.test', 'primary', {
      title: 'Solo',
      start: at('06:00'),
      end: at('07:00'),
    });
    expect(event.meetingUrl).toBeUndefined();
    await provider.deleteEvent(credential, 'grace@fabrikam.test', 'primary', event.id);
  });

  it('reads busy times across calendarView pages, following @odata.nextLink', async () => {
    fake.microsoft.maxPageSize = 5;
    for (let hour = 0; hour < 12; hour++) {
      const start = new Date(Date.UTC(2030, 4, 1, hour));
      fake.addBusyBlock('office365', 'grace@fabrikam.test', {
        start,
        end: new Date(start.getTime() + 30 * 60_000),
      });
    }
    const busy = await provider.getBusyTimes(
      credential,
      'grace@fabrikam.test',
      [],
      new Date('2030-05-01T00:00:00Z'),
      new Date('2030-05-02T00:00:00Z'),
    );
    expect(busy).toHaveLength(12);
    expect(busy[11]).toEqual({
      start: new Date('2030-05-01T11:00:00Z'),
      end: new Date('2030-05-01T11:30:00Z'),
      source: 'primary',
    });
    expect(fake.callCount('graph.calendarView')).toBe(3);
  });

  it('does not count events shown as free', async () => {
    const { store } = fake.microsoft;
    const calendarId = (await provider.getPrimaryCalendar(credential, 'frank@fabrikam.test')).externalId;
    const base = { calendarId, timeZone: 'UTC', attendees: [] };
    store.addEvent({
      ...base,
      id: 'free-1',
      title: 'Lunch (free)',
      start: at('12:00'),
      end: at('13:00'),
      showAs: 'free',
    });
    store.addEvent({ ...base, id: 'busy-1', title: 'Review', start: at('14:00'), end: at('15:00') });
    await expect(
      provider.getBusyTimes(credential, 'frank@fabrikam.test', [calendarId], at('00:00'), at('23:00')),
    ).resolves.toEqual([{ start: at('14:00'), end: at('15:00'), source: calendarId }]);
  });

  it('does not duplicate an event when a create succeeded but its answer was lost (transactionId)', async () => {
    fake.injectFault({ route: 'graph.events.create', status: 503, times: 1, afterProcessing: true });
    await provider.createEvent(credential, 'grace@fabrikam.test', 'primary', {
      title: 'Once',
      start: at('18:00'),
      end: at('18:30'),
    });
    expect(fake.callCount('graph.events.create')).toBe(2);
    expect(fake.events('office365', 'grace@fabrikam.test').filter((e) => e.title === 'Once')).toHaveLength(1);
  });

  it('talks to the real Microsoft hosts when no base URL is configured (unreachable here)', async () => {
    const real = new MicrosoftCalendarProvider(
      { providerEndpoints: {} },
      { ...FAST_PROVIDER_OPTIONS, requestTimeoutMs: 1_000, maxUnavailableRetries: 0 },
    );
    const error = await real.checkAccess(credential, 'frank@fabrikam.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
    expect(fake.callCount()).toBe(0);
  });
});
