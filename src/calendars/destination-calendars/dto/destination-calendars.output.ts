import { ApiProperty } from '@nestjs/swagger';

export class DestinationCalendarsOutputDto {
  @ApiProperty()
  userId!: number;

  @ApiProperty({ example: 'google_calendar' })
  integration!: string;

  @ApiProperty({ example: 'alice@acme.com' })
  externalId!: string;

  @ApiProperty({ type: Number, nullable: true })
  credentialId!: number | null;
}

export class DestinationCalendarsOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: DestinationCalendarsOutputDto })
  data!: DestinationCalendarsOutputDto;
}
