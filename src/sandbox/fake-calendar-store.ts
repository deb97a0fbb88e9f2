import { randomBytes } from 'node:crypto';

export type AccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

export interface FakeCalendar {
  id: string;
  name: string;
  timeZone: string;
  /** Mailbox that owns it. */
  owner: string;
}

export interface FakeAttendee {
  email: string;
  name?: string;
}

export interface FakeEvent {
  id: string;
  calendarId: string;
  title: string;
  description?: string;
  location?: string;
  start: Date;
  end: Date;
  timeZone: string;
  attendees: FakeAttendee[];
  meetingUrl?: string;
  /** Graph create retries with the same transactionId return this event. */
  transactionId?: string;
  /** Does not block time (Google transparency=transparent / Graph showAs=free). */
  free?: boolean;
  deleted?: boolean;
  created: Date;
  updated: Date;
}

export interface BusyInterval {
  start: Date;
  end: Date;
}

interface ListEntry {
  role: AccessRole;
  primary: boolean;
}

/**
 * Calendars, per-mailbox calendar lists (a calendar can be listed for several mailboxes with different roles),
 * events and seeded busy blocks of one fake platform.
 */
export class CalendarStore {
  private readonly calendars = new Map<string, FakeCalendar>();
  private readonly lists = new Map<string, Map<string, ListEntry>>();
  private readonly events = new Map<string, FakeEvent>();
  private readonly blocks = new Map<string, BusyInterval[]>();

  addCalendar(calendar: FakeCalendar, options: { primary?: boolean } = {}): FakeCalendar {
    this.calendars.set(calendar.id, calendar);
    this.share(calendar.id, calendar.owner, 'owner', options.primary ?? false);
    return calendar;
  }

  share(calendarId: string, mailbox: string, role: AccessRole, primary = false): void {
    const list = this.lists.get(mailbox) ?? new Map<string, ListEntry>();
    list.set(calendarId, { role, primary });
    this.lists.set(mailbox, list);
  }

  calendar(calendarId: string): FakeCalendar | undefined {
    return this.calendars.get(calendarId);
  }

  /** The calendars `mailbox` sees, with its role on each. */
  listFor(mailbox: string): { calendar: FakeCalendar; role: AccessRole; primary: boolean }[] {
    return [...(this.lists.get(mailbox) ?? new Map<string, ListEntry>())]
      .map(([id, entry]) => ({ calendar: this.calendars.get(id), ...entry }))
      .filter(
        (e): e is { calendar: FakeCalendar; role: AccessRole; primary: boolean } => e.calendar !== undefined,
      );
  }

  roleOf(mailbox: string, calendarId: string): AccessRole | undefined {
    return this.lists.get(mailbox)?.get(calendarId)?.role;
  }

  primaryOf(mailbox: string): FakeCalendar | undefined {
    return this.listFor(mailbox).find((e) => e.primary)?.calendar;
  }

  addEvent(event: Omit<FakeEvent, 'created' | 'updated'>): FakeEvent {
    const now = new Date();
    const stored = { ...event, created: now, updated: now };
    this.events.set(event.id, stored);
    return stored;
  }

  event(calendarId: string | undefined, eventId: string): FakeEvent | undefined {
    const event = this.events.get(eventId);
    return event && (calendarId === undefined || event.calendarId === calendarId) ? event : undefined;
  }

  findByTransaction(calendarIds: string[], transactionId: string): FakeEvent | undefined {
    return [...this.events.values()].find(
      (e) => !e.deleted && e.transactionId === transactionId && calendarIds.includes(e.calendarId),
    );
  }

  eventsIn(calendarId: string, from: Date, to: Date): FakeEvent[] {
    return [...this.events.values()]
      .filter((e) => e.calendarId === calendarId && !e.deleted && e.start < to && e.end > from)
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  /** Events of the calendars a mailbox owns (what tests and the control API show). */
  eventsOf(mailbox: string): FakeEvent[] {
    const owned = new Set([...this.calendars.values()].filter((c) => c.owner === mailbox).map((c) => c.id));
    return [...this.events.values()].filter((e) => owned.has(e.calendarId) && !e.deleted);
  }

  addBusy(calendarId: string, interval: BusyInterval): void {
    this.blocks.set(calendarId, [...(this.blocks.get(calendarId) ?? []), interval]);
  }

  blocksIn(calendarId: string, from: Date, to: Date): BusyInterval[] {
    return (this.blocks.get(calendarId) ?? []).filter((b) => b.start < to && b.end > from);
  }

  /** Busy time of a calendar in [from, to): seeded blocks plus non-free events, overlaps merged. */
  busy(calendarId: string, from: Date, to: Date): BusyInterval[] {
    const intervals = [
      ...this.blocksIn(calendarId, from, to),
      ...this.eventsIn(calendarId, from, to).filter((e) => !e.free),
    ]
      .map((i) => ({ start: i.start, end: i.end }))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    const merged: BusyInterval[] = [];
    for (const interval of intervals) {
      const last = merged.at(-1);
      if (last && interval.start <= last.end) {
        if (interval.end > last.end) last.end = interval.end;
      } else {
        merged.push({ ...interval });
      }
    }
    return merged;
  }

  clear(): void {
    this.calendars.clear();
    this.lists.clear();
    this.events.clear();
    this.blocks.clear();
  }
}

/** Random id from an alphabet (Google: base32hex, lowercase). */
export function randomId(length: number, alphabet = '0123456789abcdefghijklmnopqrstuv'): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
