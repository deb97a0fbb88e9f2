import { findIana } from 'windows-iana';

/** Local time of `timeZone` minus UTC at `date`, in ms (whole seconds). Throws RangeError for unknown zones. */
function zoneOffsetMs(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(date)
      .map((p) => [p.type, Number(p.value)]),
  );
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return local - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant of a Graph `{ dateTime, timeZone }` (wall-clock time in an IANA zone, or UTC). A wall time a DST change
 * repeats is its earlier instant; one a DST change skips (midnight on America/Santiago's first day of DST) is read
 * with the offset in force before the gap, so it lands after the gap (00:00 → 01:00), as Exchange and Google Calendar
 * place it.
 */
export function zonedWallTimeToUtc(dateTime: string, timeZone: string): Date {
  const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(dateTime);
  const asUtc = new Date(hasOffset ? dateTime : `${dateTime}Z`);
  if (Number.isNaN(asUtc.getTime())) throw new RangeError(`Invalid dateTime ${dateTime}`);
  if (hasOffset || timeZone === 'UTC') return asUtc;
  const wall = asUtc.getTime();
  const day = 86_400_000;
  const before = zoneOffsetMs(new Date(wall - day), timeZone);
  const after = zoneOffsetMs(new Date(wall + day), timeZone);
  const shows = (instant: number) => instant + zoneOffsetMs(new Date(instant), timeZone) === wall;
  const instants = [wall - before, wall - after].filter(shows).sort((a, b) => a - b);
  return new Date(instants[0] ?? wall - before);
}

/**
 * The IANA zone a Graph time-zone label names, as Exchange accepts them: a Windows zone name (Exchange's own,
 * mapped with CLDR's windowsZones through `findIana`), an IANA name, or UTC. Undefined when Exchange would refuse it.
 */
export function graphZone(label: string | undefined): string | undefined {
  if (!label) return undefined;
  if (label === 'UTC' || label === 'tzone://Microsoft/Utc') return 'UTC';
  const windows = findIana(label);
  if (windows.length > 0) return windows[0];
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: label }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DDTHH:mm:ss` wall-clock time of `date` in `timeZone` (IANA). */
export function wallClock(date: Date, timeZone: string): string {
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + zoneOffsetMs(date, timeZone));
  return shifted.toISOString().slice(0, 19);
}

/** Midnight starting `date` (`YYYY-MM-DD`) in `timeZone` (IANA). */
export function midnightIn(date: string, timeZone: string): Date {
  return zonedWallTimeToUtc(`${date}T00:00:00`, timeZone);
}

/** `date` (`YYYY-MM-DD`) plus `days`. */
export function plusDays(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}
