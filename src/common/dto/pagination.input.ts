import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_INT4 } from '../http/id-param';

export class PaginationInput {
  @ApiPropertyOptional({
    type: Number,
    description: 'Maximum number of items to return',
    example: 25,
    minimum: 1,
    maximum: 250,
    default: 250,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(250)
  take = 250;

  @ApiPropertyOptional({
    type: Number,
    description: 'Number of items to skip',
    example: 0,
    minimum: 0,
    default: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_INT4)
  skip = 0;
}
