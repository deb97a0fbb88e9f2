import { ApiProperty } from '@nestjs/swagger';

export class SelectedCalendarOutputDto {
  @ApiProperty()
  userId!: number;

  @ApiProperty({ example: 'google_calendar' })
  integration!: string;

  @ApiProperty({ example: 'alice@acme.com' })
  externalId!: string;

  @ApiProperty({ type: Number, nullable: true })
  credentialId!: number | null;
}

export class SelectedCalendarOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: SelectedCalendarOutputDto })
  data!: SelectedCalendarOutputDto;
}
