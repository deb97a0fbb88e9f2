import { Module } from '@nestjs/common';
import { CalendarAccessModule } from '../shared/calendar-access.module';
import { CalendarEventsController } from './calendar-events.controller';
import { CalendarEventsService } from './calendar-events.service';
import { EventReferencesRepository } from './event-references.repository';

/** `/v2/calendars/{calendar}/events`: events written through a member's delegated connection. */
@Module({
  imports: [CalendarAccessModule],
  controllers: [CalendarEventsController],
  providers: [CalendarEventsService, EventReferencesRepository],
})
export class CalendarEventsModule {}
