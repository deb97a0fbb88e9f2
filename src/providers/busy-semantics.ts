import type { WorkspacePlatformSlug } from './provider.types';

/**
 * What counts as busy, per platform, in one place. Cal.com's choices are the default; each row names its source.
 *
 * - **Microsoft 365**: busy times are read from Graph `calendarView` (every calendar, not only the default one that
 *   `getSchedule` covers) and each event is judged here by {@link graphEventBlocks}, first matching row wins.
 * - **Google Workspace**: busy times are read from Google's `freeBusy.query`, as Cal.com's GoogleCalendarService
 *   does. Google applies these rules itself (transparency, cancelled events, the member's declined invitations,
 *   all-day events in the calendar's time zone), and freeBusy also answers for calendars the member may only see as
 *   free/busy (a colleague's primary calendar in the same Workspace), where `events.list` would be refused. The
 *   Google rows document what Google decides; the table test checks each against the sandbox, which models it.
 */
export interface BusyRule {
  /** Stable id, used by the table test (one sandbox scenario per row). */
  id: string;
  platform: WorkspacePlatformSlug;
  /** The provider state, in the provider's own field names. */
  state: string;
  /** Whether an event in this state blocks the member's time. */
  blocks: boolean;
  /** Who applies the rule: this service (Graph events) or Google's freeBusy. */
  decidedBy: 'service' | 'google';
  /** Where the rule comes from. */
  source: string;
}

/** The fields of a Graph event the Graph rules read (requested with `$select`). */
export interface GraphBusyFields {
  showAs?: string | null;
  isCancelled?: boolean | null;
  isAllDay?: boolean | null;
  /** The mailbox owner's own response to the meeting (not the attendees' list). */
  responseStatus?: { response?: string | null } | null;
}

interface GraphRule extends BusyRule {
  platform: 'office365';
  decidedBy: 'service';
  /** When the row applies to an event. */
  matches(event: GraphBusyFields): boolean;
}

const CAL_OFFICE365 =
  "Cal.com Office365CalendarService.processBusyTimes (drops showAs 'free' and 'workingElsewhere', keeps every other showAs)";

const showAs =
  (...values: string[]) =>
  (event: GraphBusyFields): boolean =>
    values.includes(event.showAs ?? '');

/**
 * Graph events, in the order they are judged (first match wins). showAs values from Graph's `freeBusyStatus`
 * enumeration: free, tentative, busy, oof, workingElsewhere, unknown.
 */
export const GRAPH_BUSY_RULES: readonly GraphRule[] = [
  {
    id: 'graph-cancelled',
    platform: 'office365',
    state: 'isCancelled: true',
    blocks: false,
    decidedBy: 'service',
    source:
      "Graph event.isCancelled: the organizer cancelled the meeting; it stays in attendees' calendars until they remove it. Cal.com does not filter it (it reads showAs only); a cancelled meeting frees the time",
    matches: (event) => event.isCancelled === true,
  },
  {
    id: 'graph-declined',
    platform: 'office365',
    state: "responseStatus.response: 'declined' (the member declined)",
    blocks: false,
    decidedBy: 'service',
    source:
      "Graph event.responseStatus is the mailbox owner's own response; a declined meeting kept in the calendar does not take the member's time (as Google's freeBusy treats a declined invitation)",
    matches: (event) => event.responseStatus?.response === 'declined',
  },
  {
    id: 'graph-free',
    platform: 'office365',
    state: "showAs: 'free'",
    blocks: false,
    decidedBy: 'service',
    source: CAL_OFFICE365,
    matches: showAs('free'),
  },
  {
    id: 'graph-working-elsewhere',
    platform: 'office365',
    state: "showAs: 'workingElsewhere'",
    blocks: false,
    decidedBy: 'service',
    source: `${CAL_OFFICE365}; Outlook shows "Working elsewhere" as available`,
    matches: showAs('workingElsewhere'),
  },
  {
    id: 'graph-tentative',
    platform: 'office365',
    state: "showAs: 'tentative'",
    blocks: true,
    decidedBy: 'service',
    source: CAL_OFFICE365,
    matches: showAs('tentative'),
  },
  {
    id: 'graph-oof',
    platform: 'office365',
    state: "showAs: 'oof' (out of office)",
    blocks: true,
    decidedBy: 'service',
    source: CAL_OFFICE365,
    matches: showAs('oof'),
  },
  {
    id: 'graph-unknown',
    platform: 'office365',
    state: "showAs: 'unknown' (or missing)",
    blocks: true,
    decidedBy: 'service',
    source: `${CAL_OFFICE365}; an unknown status fails closed (busy), never free`,
    matches: (event) => !event.showAs || event.showAs === 'unknown',
  },
  {
    id: 'graph-all-day',
    platform: 'office365',
    state: "isAllDay: true (showAs 'busy')",
    blocks: true,
    decidedBy: 'service',
    source:
      "Graph returns an all-day event as midnight to midnight whatever Prefer: outlook.timezone asks; it blocks the member's local day, read in the mailbox's time zone (mailboxSettings.timeZone, else the event's originalStartTimeZone)",
    matches: (event) => event.isAllDay === true && showAs('busy')(event),
  },
  {
    id: 'graph-busy',
    platform: 'office365',
    state: "showAs: 'busy'",
    blocks: true,
    decidedBy: 'service',
    source: CAL_OFFICE365,
    matches: showAs('busy'),
  },
];

const GOOGLE_FREEBUSY =
  "Google Calendar freeBusy.query (Cal.com's GoogleCalendarService reads busy times only from it)";

/** Google events as Google's freeBusy judges them (documented here, applied by Google). */
export const GOOGLE_BUSY_RULES: readonly BusyRule[] = [
  {
    id: 'google-opaque',
    platform: 'google',
    state: "transparency: 'opaque' (the default)",
    blocks: true,
    decidedBy: 'google',
    source: `${GOOGLE_FREEBUSY}; Calendar API: an opaque event "blocks time on the calendar"`,
  },
  {
    id: 'google-transparent',
    platform: 'google',
    state: "transparency: 'transparent' (Show as: Free)",
    blocks: false,
    decidedBy: 'google',
    source: `${GOOGLE_FREEBUSY}; Calendar API: a transparent event "does not block time on the calendar"`,
  },
  {
    id: 'google-cancelled',
    platform: 'google',
    state: "status: 'cancelled'",
    blocks: false,
    decidedBy: 'google',
    source: GOOGLE_FREEBUSY,
  },
  {
    id: 'google-declined',
    platform: 'google',
    state: "attendees[self].responseStatus: 'declined' (the member declined)",
    blocks: false,
    decidedBy: 'google',
    source: GOOGLE_FREEBUSY,
  },
  {
    id: 'google-tentative',
    platform: 'google',
    state: "attendees[self].responseStatus: 'tentative' or 'needsAction'",
    blocks: true,
    decidedBy: 'google',
    source: GOOGLE_FREEBUSY,
  },
  {
    id: 'google-all-day',
    platform: 'google',
    state: 'all-day (start.date, no dateTime), opaque',
    blocks: true,
    decidedBy: 'google',
    source: `${GOOGLE_FREEBUSY}: midnight to midnight of the date in the calendar's time zone (the member's local day)`,
  },
];

/** Every rule of both platforms (the README's busy semantics table). */
export const BUSY_RULES: readonly BusyRule[] = [...GRAPH_BUSY_RULES, ...GOOGLE_BUSY_RULES];

/** The Graph rule that decides an event (the last row, `showAs: busy`, is also the fallback for other values). */
export function graphBusyRule(event: GraphBusyFields): BusyRule {
  return (
    GRAPH_BUSY_RULES.find((rule) => rule.matches(event)) ?? GRAPH_BUSY_RULES[GRAPH_BUSY_RULES.length - 1]
  );
}

/** Whether a Graph calendarView event blocks the member's time. */
export function graphEventBlocks(event: GraphBusyFields): boolean {
  return graphBusyRule(event).blocks;
}
