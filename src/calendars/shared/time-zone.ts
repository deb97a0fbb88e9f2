/** IANA time zone helpers on Intl (no date library): validation, day boundaries, ISO output with offset. */

import { addDays, isValidTimeZone, wallTimeToInstant, zoneOffsetMs } from '../../providers/time-zones';

export { isValidTimeZone };

/** Offset of `timeZone` from UTC at `instant`, in whole minutes (historic second offsets are rounded). */
function offsetMinutes(instant: Date, timeZone: string): number {
  return Math.round(zoneOffsetMs(instant, timeZone) / 60_000);
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

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** Date-times must carry Z or an offset: without one the server's own time zone would silently apply. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A query date: `YYYY-MM-DD` is a whole day in `timeZone` (its start, or with `endOfDay` the start of the next day,
 * so `dateTo` includes that day); an ISO date-time with an offset is taken as is. Null when it is neither, or when the
 * day does not exist (`2026-02-30`). Years are read as written (`0050` is year 50). A day whose midnight is skipped by
 * a DST change (America/Santiago on its first day of DST) starts when the clocks resume (01:00), never the evening
 * before ({@link wallTimeToInstant}, RFC 5545 / Temporal `compatible`).
 */
export function parseQueryDate(value: string, timeZone: string, endOfDay = false): Date | null {
  if (DATE_ONLY.test(value)) {
    if (addDays(value, 0) !== value) return null;
    return wallTimeToInstant(`${endOfDay ? addDays(value, 1) : value}T00:00`, timeZone) ?? null;
  }
  return parseInstant(value);
}

/** An ISO 8601 date-time with Z or an offset (the only unambiguous instants), else null. */
export function parseInstant(value: string): Date | null {
  if (!DATE_TIME.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
