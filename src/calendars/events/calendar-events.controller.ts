import {
  Body,
  Controller,
  Delete,
  Get,
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
    description: `${DELEGATED_ONLY} The event goes to your destination calendar, or your primary calendar. With conference=true the answer carries the Google Meet / Teams link, or conference.status "pending" while the provider is still creating it: a background job fills it in (GET the event to see it). A Google Meet that fails answers 502 CONFERENCE_FAILED and the event is not kept.`,
  })
  @ApiCreatedResponse({ type: CalendarEventOutputResponseDto, description: '' })
  async createEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Body() body: CreateCalendarEventInput,
  ): Promise<Envelope<CalendarEventOutput>> {
    return ok(await this.events.create(user, calendar, body));
  }

  @Get(':eventUid')
  @ApiOperation({
    summary: 'Get an event you created',
    description: `This service's record of the event (no provider call): its ids, and its conference as last known — a pending Meet / Teams link appears here once the background job has read it.`,
  })
  @ApiOkResponse({ type: CalendarEventReferenceOutputResponseDto, description: '' })
  async getEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Param('eventUid') eventUid: string,
  ): Promise<Envelope<CalendarEventReferenceOutput>> {
    return ok(await this.events.get(user, calendar, eventUid));
  }

  @Patch(':eventUid')
  @ApiOperation({
    summary: 'Update an event you created',
    description: `${DELEGATED_ONLY} An event deleted at the provider (the member removed it from their calendar) answers 404 with details.type EVENT_GONE — or, with recreateIfMissing: true (and title, start, end), is created again and the answer has recreated: true.`,
  })
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
  @ApiOperation({
    summary: 'Delete an event you created',
    description: `${DELEGATED_ONLY} Idempotent: an event already deleted at the provider is deleted here too (200).`,
  })
  @ApiOkResponse({ type: CalendarEventReferenceOutputResponseDto, description: '' })
  async deleteEvent(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Param('eventUid') eventUid: string,
  ): Promise<Envelope<CalendarEventReferenceOutput>> {
    return ok(await this.events.remove(user, calendar, eventUid));
  }
}
