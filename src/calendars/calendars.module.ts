import { Module } from '@nestjs/common';
import { CalendarsApiModule } from './calendars/calendars-api.module';
import { ConferencingModule } from './conferencing/conferencing.module';
import { DestinationCalendarsModule } from './destination-calendars/destination-calendars.module';
import { CalendarEventsModule } from './events/calendar-events.module';
import { SelectedCalendarsModule } from './selected-calendars/selected-calendars.module';

/** What members see: calendars, busy times, events, selected/destination calendars, conferencing. */
@Module({
  imports: [
    CalendarsApiModule,
    CalendarEventsModule,
    SelectedCalendarsModule,
    DestinationCalendarsModule,
    ConferencingModule,
  ],
})
export class CalendarsModule {}
