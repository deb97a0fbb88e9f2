import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const CONFERENCE_STATES = ['ready', 'pending', 'failed'] as const;
export type ConferenceState = (typeof CONFERENCE_STATES)[number];

/** Where the event's online meeting stands. */
export class EventConferenceOutput {
  @ApiProperty({
    enum: CONFERENCE_STATES,
    description:
      '`ready`: the join URL is in `url` (and `meetingUrl`). `pending`: the provider is still creating it (Google creates Meet links asynchronously; Graph answers Teams meetings without a link at first); a background job reads the event again and fills it in — read it with GET …/events/{eventUid}. `failed`: the provider refused it or it never came (`error` says why)',
  })
  status!: ConferenceState;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Google Meet / Microsoft Teams join URL, once ready',
  })
  url!: string | null;

  @ApiPropertyOptional({ description: 'Why the conference failed' })
  error?: string;
}

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

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Google Meet / Microsoft Teams join URL (null while `conference.status` is pending)',
  })
  meetingUrl!: string | null;

  @ApiProperty({
    type: EventConferenceOutput,
    nullable: true,
    description: 'The online meeting asked for with `conference: true`; null for an event without one',
  })
  conference!: EventConferenceOutput | null;
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

  @ApiPropertyOptional({
    description:
      'PATCH with `recreateIfMissing: true` only: the event had been deleted at the provider and was created again (`externalEventId` is the new one)',
  })
  recreated?: boolean;
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
