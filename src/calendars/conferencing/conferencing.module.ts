import { Module } from '@nestjs/common';
import { CalendarAccessModule } from '../shared/calendar-access.module';
import { ConferencingController } from './conferencing.controller';
import { ConferencingService } from './conferencing.service';

/** `/v2/conferencing`: Meet / Teams provided by a delegation credential, and manual conferencing apps. */
@Module({
  imports: [CalendarAccessModule],
  controllers: [ConferencingController],
  providers: [ConferencingService],
})
export class ConferencingModule {}
