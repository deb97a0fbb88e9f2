/** IANA time zone helpers on Intl (no date library): validation, day boundaries, ISO output with offset. */

/** Whether Intl knows `timeZone` (the formatter it builds is kept for the conversions below). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
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

/** Offset of `timeZone` from UTC at `instant`, in whole minutes (historic second offsets are rounded). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  if (timeZone === 'UTC') return 0; // the usual case: no formatting
  const parts = formatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  const seconds = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((wall - seconds) / 60_000);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2025-03-10T09:30:00+01:00`: the instant as wall time in `timeZone`, with its offset. */
export function formatInTimeZone(instant: Date, timeZone: string): string {
  const offset = offsetMinutes(instant, timeZone);
  const wall = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Date-times must carry Z or an offset: without one the server's own time zone would silently apply. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Midnight starting `year-month-day` in `timeZone` (checked twice across a DST change). */
function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  let instant = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  instant = wall - offsetMinutes(new Date(instant), timeZone) * 60_000;
  return new Date(instant);
}

/**
 * A query date: `YYYY-MM-DD` is a whole day in `timeZone` (its start, or with `endOfDay` the start of the next day,
 * so `dateTo` includes that day); an ISO date-time with an offset is taken as is. Null when it is neither.
 */
export function parseQueryDate(value: string, timeZone: string, endOfDay = false): Date | null {
  const day = DATE_ONLY.exec(value);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const check = new Date(Date.UTC(year, month - 1, date));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null;
    return startOfDay(year, month, date + (endOfDay ? 1 : 0), timeZone);
  }
  return parseInstant(value);
}

/** An ISO 8601 date-time with Z or an offset (the only unambiguous instants), else null. */
export function parseInstant(value: string): Date | null {
  if (!DATE_TIME.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
