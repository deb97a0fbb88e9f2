import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class EventAttendeeInput {
  @ApiProperty({ example: 'bob@example.com' })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiPropertyOptional({ example: 'Bob' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;
}

export class CreateCalendarEventInput {
  @ApiProperty({ example: 'Intro call' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  title!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;

  @ApiProperty({
    example: '2025-01-06T10:00:00+01:00',
    description: 'ISO 8601 date-time with Z or an offset',
  })
  @IsString()
  start!: string;

  @ApiProperty({ example: '2025-01-06T10:30:00+01:00', description: 'After start' })
  @IsString()
  end!: string;

  @ApiPropertyOptional({
    example: 'Europe/Madrid',
    description: 'IANA time zone the event is shown in (UTC)',
  })
  @IsOptional()
  @IsString()
  timeZone?: string;

  @ApiPropertyOptional({ type: [EventAttendeeInput] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EventAttendeeInput)
  attendees?: EventAttendeeInput[];

  @ApiPropertyOptional({ example: 'Room 4' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  location?: string;

  @ApiPropertyOptional({
    description: 'Create a Google Meet (Google Workspace) or Teams (Microsoft 365) meeting',
  })
  @IsOptional()
  @IsBoolean()
  conference?: boolean;
}

/** Any subset of the create fields; start and end go together. */
export class UpdateCalendarEventInput extends PartialType(CreateCalendarEventInput) {
  @ApiPropertyOptional({
    description:
      'When the event was deleted at the provider (the member removed it from their calendar), create it again from this request instead of answering 404 EVENT_GONE; the reference then points at the new event. Needs title, start and end in the same request (and keeps the conference the event had unless `conference` says otherwise).',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  recreateIfMissing?: boolean;
}
