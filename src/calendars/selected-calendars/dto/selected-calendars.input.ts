import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class SelectedCalendarsInputDto {
  @ApiProperty({ example: 'google_calendar' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  integration!: string;

  @ApiProperty({ example: 'alice@acme.com', description: 'Calendar id, as returned by /calendars' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  externalId!: string;

  @ApiProperty({ description: 'Credential id, as returned by /calendars' })
  @IsInt()
  credentialId!: number;

  @ApiPropertyOptional({ description: 'For a calendar of a delegated connection' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  delegationCredentialId?: string;
}

export class SelectedCalendarsQueryParamsInputDto {
  @ApiProperty({ example: 'google_calendar' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  integration!: string;

  @ApiProperty({ example: 'alice@acme.com' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  externalId!: string;

  @ApiProperty({ type: String, example: '10' })
  @IsString()
  @Matches(/^-?\d{1,10}$/, { message: 'credentialId must be an integer' })
  credentialId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  delegationCredentialId?: string;
}
