import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CALENDAR_INTEGRATIONS } from '../../shared/calendar-apps';

export class DestinationCalendarsInputBodyDto {
  @ApiProperty({
    example: 'apple_calendar',
    description: 'The calendar service you want to integrate, as returned by the /calendars endpoint',
    enum: CALENDAR_INTEGRATIONS,
  })
  @IsIn(CALENDAR_INTEGRATIONS)
  integration!: string;

  @ApiProperty({
    example: 'https://caldav.icloud.com/26962146906/calendars/1644422A-1945-4438-BBC0-4F0Q23A57R7S/',
    description:
      'Unique identifier used to represent the specific calendar, as returned by the /calendars endpoint',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  externalId!: string;

  @ApiPropertyOptional({ description: 'For a calendar of a delegated connection' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  delegationCredentialId?: string;
}
