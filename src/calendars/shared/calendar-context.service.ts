import { Injectable } from '@nestjs/common';
import { emailDomain } from '../../delegation-credentials/domain';
import type { DestinationCalendar, SelectedCalendar } from '../../generated/prisma/client';
import { ReadCacheService, type TaggedCache } from '../../prisma/read-cache.service';
import { CalendarCredentialsRepository, type CredentialRow } from './calendar-credentials.repository';
import { CalendarPreferencesRepository } from './calendar-preferences.repository';

/** The delegation credentials covering a member, each with the member's delegated Credential (null: not yet). */
export type MemberDelegations = Awaited<ReturnType<CalendarCredentialsRepository['delegationsFor']>>;

/** What a member's calendar requests read from the database before any provider call. */
export interface CalendarContext {
  /** Enabled delegation credentials of the member's email domain in their organizations (see delegationsFor). */
  delegations: MemberDelegations;
  /** Manual calendar connections (no delegation credential). */
  manual: CredentialRow[];
  selected: SelectedCalendar[];
  destination: DestinationCalendar | null;
}

/** Members whose calendar context is kept per API process. */
const MAX_MEMBERS = 10_000;

/**
 * A member's calendar context (delegations, manual connections, selected and destination calendars) for
 * `GET /v2/calendars`, busy times, events and the other member-facing calendar routes: read once (four statements
 * in parallel), then served from memory until the database says it changed. Triggers notify at commit
 * (ReadCacheService): `u:<userId>` for the member's credentials, memberships, selections, destination and email,
 * `dom:<domain>` for any delegation credential of their email domain (created, enabled, disabled, key rotated,
 * failing, deleted) — so disabling a credential takes effect at once, as it did with a read per request.
 * Cached values are shared: callers never mutate them.
 */
@Injectable()
export class CalendarContextService {
  private readonly cache: TaggedCache<CalendarContext>;

  constructor(
    private readonly credentials: CalendarCredentialsRepository,
    private readonly preferences: CalendarPreferencesRepository,
    readCache: ReadCacheService,
  ) {
    this.cache = readCache.cache<CalendarContext>('calendar-context', MAX_MEMBERS);
  }

  get(user: { id: number; email: string }): Promise<CalendarContext> {
    const domain = emailDomain(user.email);
    return this.cache.get(
      `${user.id}|${user.email}`,
      () => this.load(user.id, domain),
      () => (domain ? [`u:${user.id}`, `dom:${domain}`] : [`u:${user.id}`]),
    );
  }

  private async load(userId: number, domain: string): Promise<CalendarContext> {
    const [delegations, manual, selected, destination] = await Promise.all([
      domain ? this.credentials.delegationsFor(userId, domain) : Promise.resolve([]),
      this.credentials.listManual(userId),
      this.preferences.listSelected(userId),
      this.preferences.findDestination(userId),
    ]);
    return { delegations, manual, selected, destination };
  }
}
