import { Body, Controller, Delete, HttpCode, HttpStatus, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetUser } from '../../auth/decorators/auth.decorators';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import { ApiAuthHeaders } from '../../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../../common/dto/envelope';
import type { AuthUser } from '../../common/http/request-context';
import {
  type SelectedCalendarOutputDto,
  SelectedCalendarOutputResponseDto,
} from './dto/selected-calendar.output';
import {
  SelectedCalendarsInputDto,
  SelectedCalendarsQueryParamsInputDto,
} from './dto/selected-calendars.input';
import { SelectedCalendarsService } from './selected-calendars.service';

@ApiTags('Selected Calendars')
@ApiAuthHeaders()
@UseGuards(ApiAuthGuard)
@Controller('v2/selected-calendars')
export class SelectedCalendarsController {
  constructor(private readonly selected: SelectedCalendarsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Add a selected calendar',
    description:
      'A calendar to check for conflicts. For a delegated calendar pass delegationCredentialId (you must be a member of its organization).',
  })
  @ApiCreatedResponse({ type: SelectedCalendarOutputResponseDto, description: '' })
  async addSelectedCalendar(
    @GetUser() user: AuthUser,
    @Body() body: SelectedCalendarsInputDto,
  ): Promise<Envelope<SelectedCalendarOutputDto>> {
    return ok(await this.selected.add(user, body));
  }

  @Delete()
  @ApiOperation({ summary: 'Delete a selected calendar' })
  @ApiOkResponse({ type: SelectedCalendarOutputResponseDto, description: '' })
  async deleteSelectedCalendar(
    @GetUser() user: AuthUser,
    @Query() query: SelectedCalendarsQueryParamsInputDto,
  ): Promise<Envelope<SelectedCalendarOutputDto>> {
    return ok(await this.selected.remove(user, query));
  }
}
