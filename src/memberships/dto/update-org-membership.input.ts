import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import type { MembershipRole } from '../../generated/prisma/client';
import { IsOptionalNotNull, MEMBERSHIP_ROLES } from './input-helpers';

/** At least one field is required (an empty body is a 400, checked by the service). */
export class UpdateOrgMembershipDto {
  @ApiPropertyOptional({
    type: Boolean,
    description: 'Accepting gives the member delegated calendar access; un-accepting removes it.',
    example: true,
  })
  @IsOptionalNotNull()
  @IsBoolean()
  accepted?: boolean;

  @ApiPropertyOptional({
    enum: MEMBERSHIP_ROLES,
    description: 'Only an owner can grant OWNER.',
    example: 'ADMIN',
  })
  @IsOptionalNotNull()
  @IsIn(MEMBERSHIP_ROLES)
  role?: MembershipRole;

  @ApiPropertyOptional({ type: Boolean, example: false })
  @IsOptionalNotNull()
  @IsBoolean()
  disableImpersonation?: boolean;
}
