import { Module } from '@nestjs/common';
import { CalendarAccessModule } from '../shared/calendar-access.module';
import { SelectedCalendarsController } from './selected-calendars.controller';
import { SelectedCalendarsService } from './selected-calendars.service';

/** `/v2/selected-calendars`: calendars checked for conflicts. */
@Module({
  imports: [CalendarAccessModule],
  controllers: [SelectedCalendarsController],
  providers: [SelectedCalendarsService],
})
export class SelectedCalendarsModule {}
