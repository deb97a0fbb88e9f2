import { Body, Controller, Put, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetUser } from '../../auth/decorators/auth.decorators';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import { ApiAuthHeaders } from '../../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../../common/dto/envelope';
import type { AuthUser } from '../../common/http/request-context';
import { DestinationCalendarsService } from './destination-calendars.service';
import { DestinationCalendarsInputBodyDto } from './dto/destination-calendars.input';
import {
  type DestinationCalendarsOutputDto,
  DestinationCalendarsOutputResponseDto,
} from './dto/destination-calendars.output';

@ApiTags('Destination Calendars')
@ApiAuthHeaders()
@UseGuards(ApiAuthGuard)
@Controller('v2/destination-calendars')
export class DestinationCalendarsController {
  constructor(private readonly destinations: DestinationCalendarsService) {}

  @Put()
  @ApiOperation({
    summary: 'Update destination calendars',
    description:
      'The calendar must be one of your writable calendars from /calendars (of delegationCredentialId when given).',
  })
  @ApiOkResponse({ type: DestinationCalendarsOutputResponseDto, description: '' })
  async updateDestinationCalendars(
    @GetUser() user: AuthUser,
    @Body() body: DestinationCalendarsInputBodyDto,
  ): Promise<Envelope<DestinationCalendarsOutputDto>> {
    return ok(await this.destinations.update(user, body));
  }
}
