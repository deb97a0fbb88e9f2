import { WINDOWS_TO_IANA_MAP } from 'windows-iana';

/**
 * Time-zone labels as providers write them, and wall-clock times read in them. Every time a provider returns is read
 * with its own label — an IANA name (`America/Los_Angeles`), a Windows name (`Pacific Standard Time`, what Exchange
 * and Graph use: `Prefer: outlook.timezone`, `originalStartTimeZone`, mailbox settings) or a UTC alias — or refused;
 * never read as this server's local time or silently as UTC.
 *
 * Windows names are mapped with the Unicode CLDR `windowsZones` table (the npm package `windows-iana`, the mapping
 * Cal.com's Office365 calendar service uses): the zone of territory `001` (the "golden" zone of each Windows name).
 */

/** Labels Exchange and Graph use for UTC besides the IANA ones. */
const UTC_LABELS = new Set(['utc', 'tzone://microsoft/utc', 'z', 'gmt', 'coordinated universal time']);

/** Windows zone name (lowercase) → IANA zone of territory 001. */
const WINDOWS_TO_IANA = new Map<string, string>(
  WINDOWS_TO_IANA_MAP.filter((entry) => entry.territory === '001').map((entry) => [
    entry.windowsName.toLowerCase(),
    entry.iana[0],
  ]),
);

const canonical = new Map<string, string | null>();

/** The canonical IANA name of an IANA zone label (any casing), or undefined when Intl does not know it. */
function ianaName(label: string): string | undefined {
  const cached = canonical.get(label);
  if (cached !== undefined) return cached ?? undefined;
  let name: string | null = null;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone: label }).resolvedOptions().timeZone;
  } catch {
    name = null;
  }
  // Provider labels come from a small set; bound the cache anyway.
  if (canonical.size >= 1000) canonical.clear();
  canonical.set(label, name);
  return name ?? undefined;
}

/**
 * The IANA zone a provider's time-zone label names: `UTC` for UTC aliases, the zone itself for an IANA name, the
 * CLDR mapping for a Windows name. Undefined when the label is none of these (a custom Exchange zone such as
 * "Customized Time Zone", an empty label): such a time must be refused, not guessed.
 */
export function ianaTimeZone(label: string | null | undefined): string | undefined {
  const trimmed = label?.trim();
  if (!trimmed) return undefined;
  const lower = trimmed.toLowerCase();
  if (UTC_LABELS.has(lower)) return 'UTC';
  return WINDOWS_TO_IANA.get(lower) ?? (/^[a-z0-9_+\-/]+$/i.test(trimmed) ? ianaName(trimmed) : undefined);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    // Intl accepts any casing of a zone name: bound the cache so client-chosen spellings cannot grow it forever.
    if (formatters.size >= 500) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether Intl knows `timeZone` (an IANA name, any casing); the formatter it builds is kept for the conversions. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock parts of `instant` in `timeZone` (an IANA name). */
function wallParts(instant: Date, timeZone: string): Record<string, number> {
  return Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  );
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (whole seconds). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  if (timeZone === 'UTC') return 0; // the usual case (busy times default to it): no formatting
  const p = wallParts(instant, timeZone);
  const wall = utc(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:mm:ss`: the wall-clock time of `instant` in `timeZone` (an IANA name). */
export function wallTimeIn(instant: Date, timeZone: string): string {
  const p = wallParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

const DAY_MS = 86_400_000;

/** `Date.UTC` for every year: `Date.UTC` itself reads years 0–99 as 1900–1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const time = Date.UTC(year, month, day, hour, minute, second, ms);
  if (year < 0 || year > 99 || Number.isNaN(time)) return time;
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date.getTime();
}

/**
 * The instant of a wall-clock time (`YYYY-MM-DD[THH:mm[:ss[.fffffff]]]`, no offset) in `timeZone` (an IANA name),
 * resolved as RFC 5545 and Temporal's `compatible` disambiguation do: a wall time repeated by a DST change (fall
 * back) is its earlier instant; a wall time that does not exist (skipped by a DST change, e.g. midnight in
 * America/Santiago on the first day of DST) is read with the offset before the gap, so it lands after the gap
 * (00:00 → 01:00), never on the day before. Undefined when `wall` has another shape.
 */
export function wallTimeToInstant(wall: string, timeZone: string): Date | undefined {
  const m = WALL_TIME.exec(wall);
  if (!m) return undefined;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const asUtc = utc(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    ms,
  );
  if (Number.isNaN(asUtc)) return undefined;
  // The offsets in force a day before and a day after cover any single transition around this wall time.
  const before = zoneOffsetMs(new Date(asUtc - DAY_MS), timeZone);
  const after = zoneOffsetMs(new Date(asUtc + DAY_MS), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => asUtc - offset)
    .filter((instant) => asUtc - zoneOffsetMs(new Date(instant), timeZone) === instant)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? asUtc - before);
}

/** `2026-06-12` plus `days`, as a date string (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const next = new Date(utc(y, m - 1, d + days));
  return `${pad(next.getUTCFullYear(), 4)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/** Whether a date-time string carries its own offset (`Z` or `±hh:mm`): then no label is needed to read it. */
export function hasOffset(dateTime: string): boolean {
  return /(Z|[+-]\d\d:?\d\d)$/i.test(dateTime.trim());
}
