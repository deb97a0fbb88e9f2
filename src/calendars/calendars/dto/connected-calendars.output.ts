import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Cal.com's app-store metadata of the calendar app (schema `Integration`). */
export class Integration {
  @ApiPropertyOptional({ type: Object, nullable: true })
  appData?: null;

  @ApiPropertyOptional()
  __template?: string;

  @ApiPropertyOptional({ example: 'googlecalendar' })
  dirName?: string;

  @ApiProperty({ example: 'Google Calendar' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiPropertyOptional()
  installed?: boolean;

  @ApiProperty({ example: 'google_calendar' })
  type!: string;

  @ApiPropertyOptional({ example: 'Google Calendar' })
  title?: string;

  @ApiProperty({ example: 'calendar' })
  variant!: string;

  @ApiPropertyOptional({ example: 'calendar' })
  category?: string;

  @ApiProperty({ type: [String], example: ['calendar'] })
  categories!: string[];

  @ApiProperty({ example: '/app-store/googlecalendar/logo.svg' })
  logo!: string;

  @ApiProperty({ example: 'Cal.com' })
  publisher!: string;

  @ApiProperty({ example: 'google-calendar', description: 'App id' })
  slug!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: Object, nullable: true })
  locationOption!: null;
}

/** Fields shared by `Calendar` and `Primary` (Cal.com's required ones are required here too). */
class CalendarFields {
  @ApiProperty({ example: 'alice@acme.com' })
  externalId!: string;

  @ApiPropertyOptional({ example: 'google_calendar' })
  integration?: string;

  @ApiPropertyOptional()
  name?: string;

  @ApiProperty()
  readOnly!: boolean;

  @ApiPropertyOptional()
  email?: string;

  @ApiProperty({ description: 'Checked for conflicts (a selected calendar)' })
  isSelected!: boolean;

  @ApiProperty({ description: "Credential id (a delegated member's credential id is positive too)" })
  credentialId!: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  delegationCredentialId?: string | null;
}

/** A calendar of a connection (schema `Calendar`). */
export class Calendar extends CalendarFields {
  @ApiPropertyOptional({ type: Boolean, nullable: true })
  primary?: boolean | null;
}

/** The primary calendar of a connection (schema `Primary`). */
export class Primary extends CalendarFields {
  @ApiProperty({ type: Boolean, nullable: true })
  primary!: boolean | null;
}

export class ConnectionError {
  @ApiProperty({ example: 'CLIENT_NOT_AUTHORIZED' })
  type!: string;

  @ApiProperty()
  message!: string;
}

/** One connection: delegated (through the organization) or manual (schema `ConnectedCalendar`). */
export class ConnectedCalendar {
  @ApiProperty({ type: Integration })
  integration!: Integration;

  @ApiProperty()
  credentialId!: number;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Set when managed by the organization' })
  delegationCredentialId?: string | null;

  @ApiPropertyOptional({ type: Primary })
  primary?: Primary;

  @ApiPropertyOptional({ type: [Calendar] })
  calendars?: Calendar[];

  @ApiProperty({ type: String, nullable: true, description: 'Mailbox of the connection' })
  email!: string | null;

  @ApiProperty({
    description:
      'False for a manual connection of a mailbox that a delegation credential also covers: the delegated one is used',
  })
  usedForOperations!: boolean;

  @ApiProperty({ type: String, nullable: true })
  overriddenByDelegationCredentialId!: string | null;

  @ApiPropertyOptional({ type: ConnectionError, description: 'Why the calendars could not be listed' })
  error?: ConnectionError;
}

/** Where events are written (schema `DestinationCalendar`). */
export class DestinationCalendar {
  @ApiProperty()
  id!: number;

  @ApiProperty()
  integration!: string;

  @ApiProperty()
  externalId!: string;

  @ApiProperty({ type: String, nullable: true })
  primaryEmail!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  userId!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  eventTypeId!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  credentialId!: number | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  delegationCredentialId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  name?: string | null;

  @ApiPropertyOptional()
  primary?: boolean;

  @ApiPropertyOptional()
  readOnly?: boolean;

  @ApiPropertyOptional()
  email?: string;

  @ApiPropertyOptional()
  integrationTitle?: string;
}

export class ConnectedCalendarsData {
  @ApiProperty({ type: [ConnectedCalendar] })
  connectedCalendars!: ConnectedCalendar[];

  @ApiProperty({ type: DestinationCalendar, nullable: true })
  destinationCalendar!: DestinationCalendar | null;
}

export class ConnectedCalendarsOutput {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: ConnectedCalendarsData })
  data!: ConnectedCalendarsData;
}
