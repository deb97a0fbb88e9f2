import { ApiProperty } from '@nestjs/swagger';
import type { MembershipRole } from '../../generated/prisma/client';
import { MEMBERSHIP_ROLES } from '../../memberships/dto/input-helpers';

/** A user together with their membership in the organization of the route. */
export class OrganizationUserOutput {
  @ApiProperty({ description: 'The user id', example: 42 })
  id!: number;

  @ApiProperty({ example: 'jane@acme.com' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'jane' })
  username!: string | null;

  @ApiProperty({ example: 123 })
  organizationId!: number;

  @ApiProperty({ enum: MEMBERSHIP_ROLES, description: 'Role in the organization', example: 'MEMBER' })
  role!: MembershipRole;

  @ApiProperty({ description: 'Whether the membership is accepted', example: true })
  accepted!: boolean;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the user was created' })
  createdAt!: Date;
}

export class GetOrganizationUserOutput {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationUserOutput })
  data!: OrganizationUserOutput;
}

export class GetOrganizationUsersOutput {
  @ApiProperty({ example: 'success', enum: ['success', 'error'] })
  status!: 'success';

  @ApiProperty({ type: OrganizationUserOutput, isArray: true })
  data!: OrganizationUserOutput[];
}
