import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { BusyBlock } from '../../providers/provider.types';
import { CalendarConnectionsService, matchCredential } from '../shared/calendar-connections.service';
import {
  type CalendarUser,
  DelegatedAccessService,
  type DelegatedConnection,
} from '../shared/delegated-access.service';
import { BUSY_WINDOW_MAX_DAYS } from '../../providers/busy-window';
import { formatInTimeZone, isValidTimeZone, parseQueryDate } from '../shared/time-zone';
import type { BusyTimesQuery } from './dto/busy-times.input';
import type { BusyTimesOutput } from './dto/busy-times.output';

interface Interval {
  start: Date;
  end: Date;
  sources: Set<string>;
}

/** Sorted, with overlapping or touching intervals merged (their sources united). */
export function mergeBusy(blocks: BusyBlock[]): Interval[] {
  const sorted = [...blocks].sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: Interval[] = [];
  for (const block of sorted) {
    const last = merged.at(-1);
    if (last && block.start <= last.end) {
      if (block.end > last.end) last.end = block.end;
      if (block.source) last.sources.add(block.source);
    } else {
      merged.push({
        start: block.start,
        end: block.end,
        sources: new Set(block.source ? [block.source] : []),
      });
    }
  }
  return merged;
}

/**
 * Busy times of the requested calendars, read through each calendar's connection. Unlike Cal.com's, this works for
 * delegated credentials: they are resolved like any other credential of the caller.
 */
@Injectable()
export class BusyTimesService {
  constructor(
    private readonly connections: CalendarConnectionsService,
    private readonly access: DelegatedAccessService,
  ) {}

  async getBusyTimes(user: CalendarUser, query: BusyTimesQuery): Promise<BusyTimesOutput[]> {
    const timeZone = query.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone)) throw new BadRequestException(`Invalid time zone '${timeZone}'`);
    // Cal.com answers an empty list when either date is missing.
    if (!query.dateFrom || !query.dateTo) return [];
    const from = parseQueryDate(query.dateFrom, timeZone);
    const to = parseQueryDate(query.dateTo, timeZone, true);
    if (!from)
      throw new BadRequestException(`Invalid dateFrom '${query.dateFrom}': expected YYYY-MM-DD or ISO 8601`);
    if (!to)
      throw new BadRequestException(`Invalid dateTo '${query.dateTo}': expected YYYY-MM-DD or ISO 8601`);
    if (to <= from) throw new BadRequestException('dateTo must be after dateFrom');
    if (to.getTime() - from.getTime() > BUSY_WINDOW_MAX_DAYS * 86_400_000)
      throw new BadRequestException(
        `dateFrom and dateTo may be at most ${BUSY_WINDOW_MAX_DAYS} days apart (Microsoft Graph's calendarView limit)`,
      );

    const groups = await this.groupByConnection(user, query);
    const results = await Promise.all(
      [...groups.values()].map(({ connection, externalIds }) =>
        this.access.call(
          connection,
          (provider, credential) => provider.getBusyTimes(credential, user.email, [...externalIds], from, to),
          'calendar',
        ),
      ),
    );
    return mergeBusy(results.flat()).map((interval) => ({
      start: formatInTimeZone(interval.start, timeZone),
      end: formatInTimeZone(interval.end, timeZone),
      source: interval.sources.size ? [...interval.sources].join(', ') : null,
    }));
  }

  /** Every requested calendar must be reachable through one of the caller's usable connections. */
  private async groupByConnection(
    user: CalendarUser,
    query: BusyTimesQuery,
  ): Promise<Map<string, { connection: DelegatedConnection; externalIds: Set<string> }>> {
    const connections = await this.connections.resolve(user);
    const groups = new Map<string, { connection: DelegatedConnection; externalIds: Set<string> }>();
    for (const calendar of query.calendarsToLoad) {
      const resolved = matchCredential(connections, calendar);
      if (!resolved) throw new UnauthorizedException('These credentials do not belong to you');
      if (resolved.kind === 'manual') {
        throw new BadRequestException(
          `Credential ${resolved.connection.credential.id} is a manual ${resolved.connection.credential.type} connection: this service reads busy times of delegated calendars only`,
        );
      }
      const key = resolved.connection.delegationCredentialId;
      const group = groups.get(key) ?? { connection: resolved.connection, externalIds: new Set<string>() };
      group.externalIds.add(calendar.externalId);
      groups.set(key, group);
    }
    return groups;
  }
}
