import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { CALENDAR_SLUGS, type CalendarSlug } from './calendar-apps';

export function isCalendarSlug(value: unknown): value is CalendarSlug {
  return typeof value === 'string' && (CALENDAR_SLUGS as readonly string[]).includes(value);
}

/** `{calendar}` path parameter: apple | google | office365, else Cal.com's 400. */
@Injectable()
export class CalendarSlugPipe implements PipeTransform<string, CalendarSlug> {
  transform(value: string): CalendarSlug {
    if (isCalendarSlug(value)) return value;
    throw new BadRequestException(
      `Invalid calendar type, available calendars are: ${CALENDAR_SLUGS.join(', ')}`,
    );
  }
}
