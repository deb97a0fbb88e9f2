import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { MembershipRole } from '../../generated/prisma/client';
import { IsOptionalNotNull, MEMBERSHIP_ROLES, trim, trimLower } from '../../memberships/dto/input-helpers';

/** Lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit (URL-safe, like Cal.com's slugs). */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const USERNAME_MESSAGE =
  'username must start with a letter or digit and contain only letters, digits, ".", "_" or "-"';

export class CreateOrganizationUserInput {
  @ApiProperty({
    description: 'Stored trimmed and lowercased; must not belong to another user',
    example: 'jane@acme.com',
  })
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ type: String, example: 'Jane Doe' })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ type: String, description: 'Stored lowercased; unique', example: 'jane' })
  @IsOptionalNotNull()
  @Transform(trimLower)
  @IsString()
  @Length(1, 64)
  @Matches(USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  username?: string;

  @ApiPropertyOptional({
    enum: MEMBERSHIP_ROLES,
    default: 'MEMBER',
    description: 'Role in the organization. Only an owner can grant OWNER.',
    example: 'MEMBER',
  })
  @IsOptionalNotNull()
  @IsIn(MEMBERSHIP_ROLES)
  organizationRole: MembershipRole = 'MEMBER';

  @ApiPropertyOptional({
    type: Boolean,
    default: true,
    description:
      'Accept the membership right away (gives delegated calendar access); false leaves it pending.',
    example: true,
  })
  @IsOptionalNotNull()
  @IsBoolean()
  autoAccept: boolean = true;
}
