import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MembershipRole } from '../../generated/prisma/client';
import { MEMBERSHIP_ROLES } from './input-helpers';

/** The member's public profile. This service stores no avatar, bio or metadata, so those optional fields are omitted. */
export class MembershipUserOutputDto {
  @ApiProperty({ example: 'jane@acme.com' })
  email!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'jane' })
  username!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Jane Doe' })
  name!: string | null;
}

export class OrganizationMembershipOutput {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 42 })
  userId!: number;

  @ApiProperty({ description: 'The organization id', example: 123 })
  teamId!: number;

  @ApiProperty({ example: true })
  accepted!: boolean;

  @ApiProperty({ enum: MEMBERSHIP_ROLES, example: 'MEMBER' })
  role!: MembershipRole;

  @ApiPropertyOptional({ example: false })
  disableImpersonation!: boolean;

  @ApiProperty({ type: MembershipUserOutputDto })
  user!: MembershipUserOutputDto;

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    example: [],
    description: 'Organization attributes of the member. Always empty: this service keeps no attributes.',
  })
  attributes!: never[];
}

export class GetAllOrgMemberships {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  // Cal.com's published schema shows a single object here; the endpoint has always returned an array.
  @ApiProperty({ type: OrganizationMembershipOutput, isArray: true })
  data!: OrganizationMembershipOutput[];
}

export class CreateOrgMembershipOutput {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationMembershipOutput })
  data!: OrganizationMembershipOutput;
}

export class GetOrgMembership {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationMembershipOutput })
  data!: OrganizationMembershipOutput;
}

export class UpdateOrgMembership {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationMembershipOutput })
  data!: OrganizationMembershipOutput;
}

export class DeleteOrgMembership {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationMembershipOutput, description: 'The removed membership' })
  data!: OrganizationMembershipOutput;
}
