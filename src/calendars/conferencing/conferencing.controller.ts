import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetUser } from '../../auth/decorators/auth.decorators';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import { ApiAuthHeaders } from '../../common/docs/api-headers.decorator';
import { type Envelope, ok } from '../../common/dto/envelope';
import type { AuthUser } from '../../common/http/request-context';
import { ConferencingService } from './conferencing.service';
import {
  type ConferencingAppsOutputDto,
  ConferencingAppsOutputResponseDto,
  type DefaultConferencingAppsOutputDto,
  GetDefaultConferencingAppOutputResponseDto,
} from './dto/conferencing.output';

@ApiTags('Conferencing')
@ApiAuthHeaders()
@UseGuards(ApiAuthGuard)
@Controller('v2/conferencing')
export class ConferencingController {
  constructor(private readonly conferencing: ConferencingService) {}

  @Get()
  @ApiOperation({
    summary: 'List your conferencing applications',
    description:
      'Includes Google Meet (google_video) or Microsoft Teams (office365_video) while your organization delegates your calendar.',
  })
  @ApiOkResponse({ type: ConferencingAppsOutputResponseDto, description: '' })
  async listInstalledConferencingApps(
    @GetUser() user: AuthUser,
  ): Promise<Envelope<ConferencingAppsOutputDto[]>> {
    return ok(await this.conferencing.list(user));
  }

  @Get('default')
  @ApiOperation({
    summary: 'Get your default conferencing application',
    description:
      'Google Meet / Microsoft Teams while your organization delegates your calendar; empty otherwise.',
  })
  @ApiOkResponse({ type: GetDefaultConferencingAppOutputResponseDto, description: '' })
  async getDefault(@GetUser() user: AuthUser): Promise<Envelope<DefaultConferencingAppsOutputDto>> {
    return ok(await this.conferencing.getDefault(user));
  }
}
