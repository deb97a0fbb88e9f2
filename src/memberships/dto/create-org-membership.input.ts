import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, Max, Min } from 'class-validator';
import type { MembershipRole } from '../../generated/prisma/client';
import { IsOptionalNotNull, MEMBERSHIP_ROLES } from './input-helpers';
import { MAX_INT4 } from '../../common/http/id-param';

export class CreateOrgMembershipDto {
  @ApiProperty({ type: Number, description: 'Id of an existing user', example: 42 })
  @IsInt()
  @Min(1)
  @Max(MAX_INT4)
  userId!: number;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Whether the membership is active. Delegated calendar access only applies to accepted members.',
    example: true,
  })
  @IsOptionalNotNull()
  @IsBoolean()
  accepted: boolean = false;

  // Required in Cal.com's published schema, but defaulted at run time: kept that way to match the contract.
  @ApiProperty({
    enum: MEMBERSHIP_ROLES,
    default: 'MEMBER',
    description:
      'If you are platform customer then managed users should only have MEMBER role. Only an owner can grant OWNER.',
    example: 'MEMBER',
  })
  @IsOptionalNotNull()
  @IsIn(MEMBERSHIP_ROLES)
  role: MembershipRole = 'MEMBER';

  @ApiPropertyOptional({ type: Boolean, default: false, example: false })
  @IsOptionalNotNull()
  @IsBoolean()
  disableImpersonation: boolean = false;
}
