import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { GetUser } from '../../auth/decorators/auth.decorators';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import { ApiAuthHeaders } from '../../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../../common/dto/envelope';
import type { AuthUser } from '../../common/http/request-context';
import { CALENDAR_SLUGS, type CalendarSlug } from '../shared/calendar-apps';
import { CalendarSlugPipe } from '../shared/calendar-slug.pipe';
import { ConnectedCalendarsService } from '../shared/connected-calendars.service';
import { RouteRateLimit } from '../../rate-limit/rate-limit.decorator';
import { BusyTimesService } from './busy-times.service';
import { CalendarCredentialsService } from './calendar-credentials.service';
import { toConnectedCalendarsData } from './connected-calendars.mapper';
import { parseBusyTimesQuery } from './dto/busy-times.input';
import { type BusyTimesOutput, GetBusyTimesOutput } from './dto/busy-times.output';
import {
  CreateCalendarCredentialsInput,
  DeleteCalendarCredentialsInputBodyDto,
} from './dto/calendar-credentials.input';
import {
  type CalendarCheckOutput,
  CalendarCheckOutputResponseDto,
  type CalendarCredentialsOutput,
  CalendarCredentialsOutputResponseDto,
  type DeletedCalendarCredentialsOutputDto,
  DeletedCalendarCredentialsOutputResponseDto,
} from './dto/calendar-credentials.output';
import { type ConnectedCalendarsData, ConnectedCalendarsOutput } from './dto/connected-calendars.output';

const CALENDAR_PARAM = { name: 'calendar', enum: CALENDAR_SLUGS } as const;

@ApiTags('Calendars')
@ApiAuthHeaders()
@UseGuards(ApiAuthGuard)
@Controller('v2/calendars')
export class CalendarsController {
  constructor(
    private readonly calendars: ConnectedCalendarsService,
    private readonly busyTimes: BusyTimesService,
    private readonly credentials: CalendarCredentialsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Get all calendars',
    description:
      "Your connected calendars. A calendar connected by your organization's delegation credential (Google Workspace or Microsoft 365) is listed without any action on your part; a manual connection of the same mailbox is kept but marked usedForOperations=false. Without a destination calendar, the delegated primary calendar becomes it.",
  })
  @ApiOkResponse({ type: ConnectedCalendarsOutput, description: '' })
  async getCalendars(@GetUser() user: AuthUser): Promise<Envelope<ConnectedCalendarsData>> {
    return ok(toConnectedCalendarsData(await this.calendars.list(user)));
  }

  @Get('busy-times')
  @RouteRateLimit('busyTimes')
  @ApiOperation({
    summary: 'Get busy times',
    description:
      'Busy times of the given calendars, overlaps merged, in the requested time zone. Example: `/v2/calendars/busy-times?timeZone=Europe%2FMadrid&dateFrom=2024-12-18&dateTo=2024-12-18&calendarsToLoad[0][credentialId]=135&calendarsToLoad[0][externalId]=alice%40acme.com` (a delegated calendar may be given by `calendarsToLoad[0][delegationCredentialId]` instead of its credentialId). Without dateFrom or dateTo the list is empty. Dates are whole days in the time zone, or ISO 8601 date-times with an offset.',
  })
  @ApiQuery({ name: 'loggedInUsersTz', required: false, deprecated: true, description: 'Use timeZone' })
  @ApiQuery({ name: 'timeZone', required: false, example: 'America/New_York' })
  @ApiQuery({ name: 'dateFrom', required: false, example: '2023-10-01' })
  @ApiQuery({ name: 'dateTo', required: false, example: '2023-10-31' })
  @ApiQuery({
    name: 'credentialId',
    required: false,
    type: Number,
    description: 'calendarsToLoad[i][credentialId]',
  })
  @ApiQuery({
    name: 'externalId',
    required: false,
    type: String,
    description: 'calendarsToLoad[i][externalId]',
  })
  @ApiQuery({
    name: 'delegationCredentialId',
    required: false,
    type: String,
    description: 'calendarsToLoad[i][delegationCredentialId]',
  })
  @ApiOkResponse({ type: GetBusyTimesOutput, description: '' })
  async getBusyTimes(
    @GetUser() user: AuthUser,
    @Query() query: Record<string, unknown>,
  ): Promise<Envelope<BusyTimesOutput[]>> {
    return ok(await this.busyTimes.getBusyTimes(user, parseBusyTimesQuery(query)));
  }

  @Post(':calendar/credentials')
  @HttpCode(HttpStatus.CREATED)
  @ApiParam(CALENDAR_PARAM)
  @ApiOperation({
    summary: 'Save calendar credentials',
    description:
      'Connects a calendar manually: Apple with `username` + `password`, Google / Office 365 with `email` + `accessToken`. Secrets are stored encrypted and never returned. When your organization delegates the same mailbox, the delegated connection is used instead (usedForOperations=false).',
  })
  @ApiCreatedResponse({ type: CalendarCredentialsOutputResponseDto, description: '' })
  async syncCredentials(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Body() body: CreateCalendarCredentialsInput,
  ): Promise<Envelope<CalendarCredentialsOutput>> {
    return ok(await this.credentials.create(user, calendar, body));
  }

  @Get(':calendar/check')
  @ApiParam(CALENDAR_PARAM)
  @ApiOperation({
    summary: 'Check a calendar connection',
    description:
      'Whether you have a usable connection of this calendar (a delegated one counts, and is checked through the provider).',
  })
  @ApiOkResponse({ type: CalendarCheckOutputResponseDto, description: '' })
  async check(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
  ): Promise<Envelope<CalendarCheckOutput>> {
    return ok(await this.credentials.check(user, calendar));
  }

  @Post(':calendar/disconnect')
  @HttpCode(HttpStatus.OK)
  @ApiParam(CALENDAR_PARAM)
  @ApiOperation({
    summary: 'Disconnect a calendar',
    description:
      'Deletes a manual connection and its selected calendars. A connection managed by your organization (delegation credential) cannot be disconnected (403).',
  })
  @ApiOkResponse({ type: DeletedCalendarCredentialsOutputResponseDto, description: '' })
  async deleteCalendarCredentials(
    @GetUser() user: AuthUser,
    @Param('calendar', CalendarSlugPipe) calendar: CalendarSlug,
    @Body() body: DeleteCalendarCredentialsInputBodyDto,
  ): Promise<Envelope<DeletedCalendarCredentialsOutputDto>> {
    return ok(await this.credentials.disconnect(user, calendar, body.id));
  }
}
