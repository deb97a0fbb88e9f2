import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CalendarEventReferenceOutput {
  @ApiProperty({ description: "This service's id of the event" })
  uid!: string;

  @ApiProperty({ example: 'google_calendar' })
  integration!: string;

  @ApiProperty({ type: Number, nullable: true, description: "The member's delegated credential" })
  credentialId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  delegationCredentialId!: string | null;

  @ApiProperty({ description: 'Calendar the event is in', example: 'alice@acme.com' })
  calendarId!: string;

  @ApiProperty({ description: "The provider's event id" })
  externalEventId!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Google Meet / Microsoft Teams join URL' })
  meetingUrl!: string | null;
}

export class CalendarEventOutput extends CalendarEventReferenceOutput {
  @ApiProperty()
  title!: string;

  @ApiProperty({ format: 'date-time' })
  start!: string;

  @ApiProperty({ format: 'date-time' })
  end!: string;

  @ApiPropertyOptional({ description: "Link to the event in the provider's web app" })
  htmlLink?: string;
}

export class CalendarEventOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: CalendarEventOutput })
  data!: CalendarEventOutput;
}

export class CalendarEventReferenceOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: CalendarEventReferenceOutput })
  data!: CalendarEventReferenceOutput;
}
