import { Module } from '@nestjs/common';
import { CalendarAccessModule } from '../shared/calendar-access.module';
import { BusyTimesService } from './busy-times.service';
import { CalendarCredentialsService } from './calendar-credentials.service';
import { CalendarsController } from './calendars.controller';

/** `/v2/calendars`: connected calendars, busy times, manual connections and the connection check. */
@Module({
  imports: [CalendarAccessModule],
  controllers: [CalendarsController],
  providers: [BusyTimesService, CalendarCredentialsService],
})
export class CalendarsApiModule {}
