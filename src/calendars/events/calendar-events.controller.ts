import {
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { GetUser } from '../../auth/decorators/auth.decorators';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import { ApiAuthHeaders } from '../../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../../common/dto/envelope';
import type { AuthUser } from '../../common/http/request-context';
import { CALENDAR_SLUGS, type CalendarSlug } from '../shared/calendar-apps';
import { CalendarSlugPipe } from '../shared/calendar-slug.pipe';
import { CalendarEventsService } from './calendar-events.service';
import { CreateCalendarEventInput, UpdateCalendarEventInput } from './dto/calendar-event.input';
import {
  type CalendarEventOutput,
  CalendarEventOutputResponseDto,
  type CalendarEventReferenceOutput,
  CalendarEventReferenceOutputResponseDto,
} from './dto/calendar-event.output';

const DELEGATED_ONLY =
  "Written through your organization's delegation credential (google: Google Workspace, office365: Microsoft 365); apple is not supported.";

/** This service's addition to Cal.com's calendar API: events written through a delegated connection. */
@ApiTags('Calendars')
@ApiAuthHeaders()
@ApiParam({ name: 'calendar', enum: CALENDAR_SLUGS })
@UseGuards(ApiAuthGuard)
@Controller('v2/calendars/:calendar/events')
export class CalendarEventsController {
  constructor(private readonly events: CalendarEventsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Create an event in your calendar',
    description: `${DELEGATED_ONLY} The event goes to your destination calendar, or your primary calendar. With conference=true the answer carries the Google Meet / Teams link.`,
  })
  @ApiCreatedResponse({ type: CalendarEventOutputResponseDto, description: '' })
  async createEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Body() body: CreateCalendarEventInput,
  ): Promise<Envelope<CalendarEventOutput>> {
    return ok(await this.events.create(user, calendar, body));
  }

  @Patch(':eventUid')
  @ApiOperation({ summary: 'Update an event you created', description: DELEGATED_ONLY })
  @ApiOkResponse({ type: CalendarEventOutputResponseDto, description: '' })
  async updateEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Param('eventUid') eventUid: string,
    @Body() body: UpdateCalendarEventInput,
  ): Promise<Envelope<CalendarEventOutput>> {
    return ok(await this.events.update(user, calendar, eventUid, body));
  }

  @Delete(':eventUid')
  @ApiOperation({ summary: 'Delete an event you created', description: DELEGATED_ONLY })
  @ApiOkResponse({ type: CalendarEventReferenceOutputResponseDto, description: '' })
  async deleteEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Param('eventUid') eventUid: string,
  ): Promise<Envelope<CalendarEventReferenceOutput>> {
    return ok(await this.events.remove(user, calendar, eventUid));
  }
}
