import { ApiProperty } from '@nestjs/swagger';

export class DeletedCalendarCredentialsOutputDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ example: 'apple_calendar' })
  type!: string;

  @ApiProperty({ type: Number, nullable: true })
  userId!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  teamId!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'apple-calendar' })
  appId!: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  invalid!: boolean | null;
}

export class DeletedCalendarCredentialsOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: DeletedCalendarCredentialsOutputDto })
  data!: DeletedCalendarCredentialsOutputDto;
}

export class CalendarCredentialsOutput extends DeletedCalendarCredentialsOutputDto {
  @ApiProperty({ description: 'Mailbox of the connection', example: 'alice@icloud.com' })
  email!: string;

  @ApiProperty({
    description: 'False when a delegation credential covers the same mailbox and is used instead',
  })
  usedForOperations!: boolean;

  @ApiProperty({ type: String, nullable: true })
  overriddenByDelegationCredentialId!: string | null;
}

export class CalendarCredentialsOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: CalendarCredentialsOutput })
  data!: CalendarCredentialsOutput;
}

export class CalendarCheckOutput {
  @ApiProperty({ example: 'google_calendar' })
  type!: string;

  @ApiProperty({ description: 'The connection that would be used' })
  credentialId!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Set when the connection is delegated' })
  delegationCredentialId!: string | null;
}

export class CalendarCheckOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: CalendarCheckOutput })
  data!: CalendarCheckOutput;
}
