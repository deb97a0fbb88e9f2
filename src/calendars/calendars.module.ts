import { Module } from '@nestjs/common';

/** What members see: calendars, busy times, events, selected/destination calendars, conferencing. */
@Module({})
export class CalendarsModule {}
