import { Injectable, NotFoundException } from '@nestjs/common';
import { CalendarPreferencesRepository } from '../shared/calendar-preferences.repository';
import { ConnectedCalendarsService } from '../shared/connected-calendars.service';
import type { CalendarUser } from '../shared/delegated-access.service';
import type { DestinationCalendarsInputBodyDto } from './dto/destination-calendars.input';
import type { DestinationCalendarsOutputDto } from './dto/destination-calendars.output';

/**
 * Where events are written. As in Cal.com, the calendar must be one of the caller's listed calendars, writable, and
 * of the given delegation credential when one is named.
 */
@Injectable()
export class DestinationCalendarsService {
  constructor(
    private readonly calendars: ConnectedCalendarsService,
    private readonly preferences: CalendarPreferencesRepository,
  ) {}

  async update(
    user: CalendarUser,
    body: DestinationCalendarsInputBodyDto,
  ): Promise<DestinationCalendarsOutputDto> {
    const { connections } = await this.calendars.list(user);
    const candidates = connections.filter(
      (c) =>
        c.usedForOperations &&
        (body.delegationCredentialId === undefined ||
          c.delegationCredentialId === body.delegationCredentialId),
    );
    const calendar = candidates
      .flatMap((c) => c.calendars)
      .find((c) => c.integration === body.integration && c.externalId === body.externalId && !c.readOnly);
    if (!calendar) {
      // A provider outage is not "not found": let the caller retry instead.
      const outage = candidates.find((c) => c.error && !c.error.permanent)?.error;
      if (outage) throw outage;
      throw new NotFoundException(`Could not find calendar ${body.externalId}`);
    }
    const row = await this.preferences.setDestination(user.id, {
      integration: calendar.integration,
      externalId: calendar.externalId,
      primaryEmail: calendar.email,
      credentialId: calendar.credentialId,
      delegationCredentialId: calendar.delegationCredentialId,
    });
    return {
      userId: row.userId,
      integration: row.integration,
      externalId: row.externalId,
      credentialId: row.credentialId,
    };
  }
}
