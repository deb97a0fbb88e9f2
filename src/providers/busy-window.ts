import { ProviderError } from './provider.errors';
import type { WorkspacePlatformSlug } from './provider.types';

const DAY_MS = 86_400_000;

/**
 * The longest busy-times window read in one go: Microsoft Graph refuses a calendarView longer than 1,825 days (400
 * ErrorInvalidRequest "The range between the start and end dates is greater than the allowed range. Maximum number
 * of days: 1825"), and the same bound keeps a Google window to at most 21 freeBusy requests.
 */
export const BUSY_WINDOW_MAX_DAYS = 1825;

/**
 * Google's freeBusy serves at most 90 days per request (400 "The requested time range is too long."); Cal.com's
 * GoogleCalendarService splits longer windows the same way.
 */
export const GOOGLE_FREEBUSY_MAX_DAYS = 90;

/**
 * Checks a busy-times window before any provider call: `from` before `to`, both valid, at most
 * {@link BUSY_WINDOW_MAX_DAYS} apart. Returns the REQUEST_REJECTED error to throw (400, scope none: the request's
 * problem, never the credential's or the member's), or undefined when the window can be read.
 */
export function busyWindowProblem(
  platform: WorkspacePlatformSlug,
  from: Date,
  to: Date,
): ProviderError | undefined {
  const span = to.getTime() - from.getTime();
  if (Number.isNaN(span) || span <= 0) {
    return new ProviderError(
      'REQUEST_REJECTED',
      'Busy times need a window whose end is after its start.',
      platform,
    );
  }
  if (span > BUSY_WINDOW_MAX_DAYS * DAY_MS) {
    return new ProviderError(
      'REQUEST_REJECTED',
      `Busy times can be read for at most ${BUSY_WINDOW_MAX_DAYS} days at a time (asked: ` +
        `${from.toISOString()} to ${to.toISOString()}, ${Math.ceil(span / DAY_MS)} days). Ask for a shorter window.`,
      platform,
    );
  }
  return undefined;
}

/** `[from, to)` cut into consecutive windows of at most `maxDays` days (the last one shorter). */
export function splitWindow(from: Date, to: Date, maxDays: number): { from: Date; to: Date }[] {
  const windows: { from: Date; to: Date }[] = [];
  const step = maxDays * DAY_MS;
  for (let start = from.getTime(); start < to.getTime(); start += step) {
    windows.push({ from: new Date(start), to: new Date(Math.min(start + step, to.getTime())) });
  }
  return windows;
}
