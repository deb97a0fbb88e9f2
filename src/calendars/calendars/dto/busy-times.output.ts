import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BusyTimesOutput {
  @ApiProperty({
    format: 'date-time',
    example: '2025-01-06T10:00:00+01:00',
    description: 'In the requested time zone',
  })
  start!: string;

  @ApiProperty({ format: 'date-time', example: '2025-01-06T11:30:00+01:00' })
  end!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Calendar(s) the busy time comes from (comma-separated when merged)',
  })
  source?: string | null;
}

export class GetBusyTimesOutput {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: [BusyTimesOutput] })
  data!: BusyTimesOutput[];
}
