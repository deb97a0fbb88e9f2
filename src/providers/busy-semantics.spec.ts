import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { GoogleEventBody } from '../sandbox/fake-google-calendar';
import type { GraphEventBody } from '../sandbox/fake-graph-events';
import { FakeProviderServer } from '../sandbox/fake-provider.server';
import {
  FAST_PROVIDER_OPTIONS,
  fakeEndpoints,
  googleCredential,
  microsoftCredential,
} from '../sandbox/provider-fixtures';
import { BUSY_RULES, type GraphBusyFields, GRAPH_BUSY_RULES, graphBusyRule } from './busy-semantics';
import { GoogleCalendarProvider } from './google/google-calendar.provider';
import { MicrosoftCalendarProvider } from './microsoft/microsoft-calendar.provider';
import type { CalendarProvider, DelegatedCredential } from './provider.types';

const FROM = new Date('2030-06-12T00:00:00Z');
const TO = new Date('2030-06-14T00:00:00Z');
const HOUR = { start: new Date('2030-06-12T13:00:00Z'), end: new Date('2030-06-12T14:00:00Z') };
/** 2030-06-12 in America/Los_Angeles (PDT, UTC−7): the member's local day. */
const LA_DAY = { start: new Date('2030-06-12T07:00:00Z'), end: new Date('2030-06-13T07:00:00Z') };

const graphTimed = (extra: GraphEventBody): GraphEventBody => ({
  subject: 'Meeting',
  start: { dateTime: '2030-06-12T13:00:00', timeZone: 'UTC' },
  end: { dateTime: '2030-06-12T14:00:00', timeZone: 'UTC' },
  showAs: 'busy',
  ...extra,
});
const invitedBy = (response: string): GraphEventBody => ({
  organizer: { emailAddress: { address: 'boss@elsewhere.example' } },
  attendees: [{ emailAddress: { address: '{member}' }, status: { response } }],
});
const googleTimed = (extra: GoogleEventBody): GoogleEventBody => ({
  summary: 'Meeting',
  start: { dateTime: '2030-06-12T13:00:00Z' },
  end: { dateTime: '2030-06-12T14:00:00Z' },
  ...extra,
});
const googleInvite = (responseStatus: string): GoogleEventBody => ({
  organizer: { email: 'boss@elsewhere.example' },
  attendees: [{ email: '{member}', responseStatus }],
});

/**
 * One scenario per rule of the table: the event in that state, put into a fresh member's calendar through the
 * sandbox (the platform's own event shape), and the busy blocks the provider must then report.
 */
const SCENARIOS: Record<
  string,
  { event: GraphEventBody | GoogleEventBody; busy: { start: Date; end: Date }[] }
> = {
  'graph-cancelled': {
    event: graphTimed({ ...invitedBy('accepted'), isCancelled: true }),
    busy: [],
  },
  'graph-declined': { event: graphTimed(invitedBy('declined')), busy: [] },
  'graph-free': { event: graphTimed({ showAs: 'free' }), busy: [] },
  'graph-working-elsewhere': { event: graphTimed({ showAs: 'workingElsewhere' }), busy: [] },
  'graph-tentative': {
    event: graphTimed({ ...invitedBy('tentativelyAccepted'), showAs: 'tentative' }),
    busy: [HOUR],
  },
  'graph-oof': { event: graphTimed({ showAs: 'oof' }), busy: [HOUR] },
  'graph-unknown': { event: graphTimed({ showAs: 'unknown' }), busy: [HOUR] },
  'graph-all-day': {
    event: {
      subject: 'Day off',
      isAllDay: true,
      showAs: 'busy',
      start: { dateTime: '2030-06-12T00:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2030-06-13T00:00:00', timeZone: 'Pacific Standard Time' },
    },
    busy: [LA_DAY],
  },
  'graph-busy': { event: graphTimed({}), busy: [HOUR] },
  'google-opaque': { event: googleTimed({ transparency: 'opaque' }), busy: [HOUR] },
  'google-transparent': { event: googleTimed({ transparency: 'transparent' }), busy: [] },
  'google-cancelled': { event: googleTimed({ status: 'cancelled' }), busy: [] },
  'google-declined': { event: googleTimed(googleInvite('declined')), busy: [] },
  'google-tentative': { event: googleTimed(googleInvite('tentative')), busy: [HOUR] },
  'google-all-day': {
    event: { summary: 'Day off', start: { date: '2030-06-12' }, end: { date: '2030-06-13' } },
    busy: [LA_DAY],
  },
};

describe('busy semantics: one row per provider state', () => {
  describe('Graph rules (decided by this service)', () => {
    const examples: Record<string, GraphBusyFields> = {
      'graph-cancelled': { showAs: 'busy', isCancelled: true },
      'graph-declined': { showAs: 'busy', responseStatus: { response: 'declined' } },
      'graph-free': { showAs: 'free' },
      'graph-working-elsewhere': { showAs: 'workingElsewhere' },
      'graph-tentative': { showAs: 'tentative', responseStatus: { response: 'tentativelyAccepted' } },
      'graph-oof': { showAs: 'oof' },
      'graph-unknown': { showAs: 'unknown' },
      'graph-all-day': { showAs: 'busy', isAllDay: true },
      'graph-busy': { showAs: 'busy', responseStatus: { response: 'organizer' } },
    };

    it.each(GRAPH_BUSY_RULES.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
      expect(examples[id]).toBeDefined();
      expect(graphBusyRule(examples[id])).toBe(rule);
    });

    it('fails closed: a missing or unexpected showAs blocks time', () => {
      expect(graphBusyRule({}).blocks).toBe(true);
      expect(graphBusyRule({ showAs: 'somethingNew' }).blocks).toBe(true);
    });

    it('every row names its source', () => {
      for (const rule of BUSY_RULES) expect(rule.source.length).toBeGreaterThan(20);
    });

    it("the README's busy semantics table has every row, with the same verdict", () => {
      const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
      const table = readme.slice(readme.indexOf('### Busy semantics'));
      const rows = table
        .split('\n')
        .filter((line) => /^\| (office365|google) /.test(line))
        .map((line) => line.split('|').map((cell) => cell.trim()));
      expect(rows).toHaveLength(BUSY_RULES.length);
      for (const rule of BUSY_RULES) {
        const key = rule.state.split(' (')[0];
        const row = rows.find(
          ([, platform, state]) => platform === rule.platform && state.replaceAll('`', '').startsWith(key),
        );
        expect({ rule: rule.id, row: row?.[2] }).toEqual({ rule: rule.id, row: expect.any(String) });
        expect({ rule: rule.id, blocks: row?.[3] }).toEqual({
          rule: rule.id,
          blocks: rule.blocks ? 'yes' : 'no',
        });
      }
    });
  });

  describe('against the sandbox, through the real SDKs', () => {
    let fake: FakeProviderServer;
    let google: { provider: CalendarProvider; credential: DelegatedCredential };
    let microsoft: { provider: CalendarProvider; credential: DelegatedCredential; tenantId: string };
    let n = 0;

    beforeAll(async () => {
      Logger.overrideLogger(false);
      fake = await FakeProviderServer.start();
      const key = await fake.createGoogleServiceAccount();
      fake.authorizeDomainWideDelegation('semantics.test', key.client_id);
      google = {
        provider: new GoogleCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS),
        credential: googleCredential(key),
      };
      const tenantId = fake.createMicrosoftTenant({ domain: 'semantics.test' }).id;
      // MailboxSettings.Read lets all-day events follow the mailbox's time zone.
      const app = fake.createMicrosoftApp({
        tenantId,
        consent: ['Calendars.ReadWrite', 'User.Read.All', 'MailboxSettings.Read'],
      });
      microsoft = {
        provider: new MicrosoftCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS),
        credential: microsoftCredential(app),
        tenantId,
      };
    });

    afterAll(() => fake.close());

    it('has a scenario for every rule, and no other', () => {
      expect(Object.keys(SCENARIOS).sort()).toEqual(BUSY_RULES.map((rule) => rule.id).sort());
    });

    it.each(BUSY_RULES.map((rule) => [`${rule.platform} ${rule.state}`, rule] as const))(
      '%s',
      async (_name, rule) => {
        const scenario = SCENARIOS[rule.id];
        const member = `m${++n}@semantics.test`;
        // The member's local day is America/Los_Angeles (Google: the calendar's zone; Graph: mailbox settings).
        if (rule.platform === 'google') fake.addGoogleUser(member, { timeZone: 'America/Los_Angeles' });
        else fake.addMicrosoftUser(microsoft.tenantId, member, { timeZone: 'Pacific Standard Time' });
        const event = JSON.parse(JSON.stringify(scenario.event).replaceAll('{member}', member)) as object;
        fake.seedEvent(rule.platform, member, event);

        const { provider, credential } = rule.platform === 'google' ? google : microsoft;
        const busy = await provider.getBusyTimes(credential, member, [], FROM, TO);
        expect(busy.map(({ start, end }) => ({ start, end }))).toEqual(scenario.busy);
        expect(busy.length > 0).toBe(rule.blocks);
      },
    );
  });
});
