import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ConferencingAppsOutputDto {
  @ApiProperty({
    description: 'Id of the conferencing app credentials (the delegated member credential for Meet/Teams)',
  })
  id!: number;

  @ApiProperty({ example: 'google_video', description: 'Type of conferencing app' })
  type!: string;

  @ApiProperty({ description: 'Id of the user associated to the conferencing app' })
  userId!: number;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    example: false,
    description: 'Whether if the connection is working or not.',
  })
  invalid?: boolean | null;

  @ApiProperty({ example: 'google-meet' })
  appId!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Set when provided by your organization' })
  delegationCredentialId!: string | null;
}

export class ConferencingAppsOutputResponseDto {
  @ApiProperty({ enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: [ConferencingAppsOutputDto] })
  data!: ConferencingAppsOutputDto[];
}

export class DefaultConferencingAppsOutputDto {
  @ApiPropertyOptional({ example: 'google-meet' })
  appSlug?: string;

  @ApiPropertyOptional()
  appLink?: string;
}

export class GetDefaultConferencingAppOutputResponseDto {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiPropertyOptional({ type: DefaultConferencingAppsOutputDto })
  data?: DefaultConferencingAppsOutputDto;
}
