import { Module } from '@nestjs/common';
import { DelegationCredentialsModule } from '../../delegation-credentials/delegation-credentials.module';
import { CalendarConnectionsService } from './calendar-connections.service';
import { CalendarContextService } from './calendar-context.service';
import { CalendarCredentialsRepository } from './calendar-credentials.repository';
import { CalendarPreferencesRepository } from './calendar-preferences.repository';
import { ConnectedCalendarsService } from './connected-calendars.service';
import { DelegatedAccessService } from './delegated-access.service';

const shared = [
  CalendarCredentialsRepository,
  CalendarContextService,
  CalendarPreferencesRepository,
  DelegatedAccessService,
  CalendarConnectionsService,
  ConnectedCalendarsService,
];

/** Resolution of a member's calendar connections (delegated and manual) shared by every member-facing API. */
@Module({
  imports: [DelegationCredentialsModule],
  providers: shared,
  // Re-exported: selected calendars look delegation credentials up by id.
  exports: [...shared, DelegationCredentialsModule],
})
export class CalendarAccessModule {}
