import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * A manual connection. Apple (CalDAV): `username` + app-specific `password`. Google / Office 365: the mailbox
 * `email` and an `accessToken` obtained elsewhere (kept for sandbox use and the priority rule; this service does
 * not call providers with it). Secrets are stored encrypted and never returned.
 */
export class CreateCalendarCredentialsInput {
  @ApiPropertyOptional({ description: 'Apple ID (apple)', example: 'alice@icloud.com' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ description: 'App-specific password (apple)', writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({
    description: 'Mailbox of the connection (google, office365)',
    example: 'alice@acme.com',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'Access token of the mailbox (google, office365)', writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  accessToken?: string;
}

export class DeleteCalendarCredentialsInputBodyDto {
  @ApiProperty({
    type: 'integer',
    example: 10,
    description: 'Credential ID of the calendar to delete, as returned by the /calendars endpoint',
  })
  @IsInt()
  id!: number;
}
