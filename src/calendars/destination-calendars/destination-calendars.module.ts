import { Module } from '@nestjs/common';
import { CalendarAccessModule } from '../shared/calendar-access.module';
import { DestinationCalendarsController } from './destination-calendars.controller';
import { DestinationCalendarsService } from './destination-calendars.service';

/** `/v2/destination-calendars`: where events are written. */
@Module({
  imports: [CalendarAccessModule],
  controllers: [DestinationCalendarsController],
  providers: [DestinationCalendarsService],
})
export class DestinationCalendarsModule {}
