/** UTC minus local time of `timeZone` at `date`, in ms (whole seconds). Throws RangeError for unknown zones. */
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
 * The instant of a Graph `{ dateTime, timeZone }` (wall-clock time in an IANA zone, or UTC). The offset is computed
 * twice so a guess on the other side of a DST change is corrected.
 */
export function zonedWallTimeToUtc(dateTime: string, timeZone: string): Date {
  const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(dateTime);
  const asUtc = new Date(hasOffset ? dateTime : `${dateTime}Z`);
  if (Number.isNaN(asUtc.getTime())) throw new RangeError(`Invalid dateTime ${dateTime}`);
  if (hasOffset || timeZone === 'UTC') return asUtc;
  const first = asUtc.getTime() - zoneOffsetMs(asUtc, timeZone);
  const second = asUtc.getTime() - zoneOffsetMs(new Date(first), timeZone);
  return new Date(second);
}
