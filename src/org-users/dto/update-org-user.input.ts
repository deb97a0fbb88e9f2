import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsOptionalNotNull, trim, trimLower } from '../../memberships/dto/input-helpers';
import { USERNAME_MESSAGE, USERNAME_PATTERN } from './create-org-user.input';

/** At least one field is required (an empty body is a 400, checked by the service). */
export class UpdateOrganizationUserInput {
  @ApiPropertyOptional({
    type: String,
    description:
      "Stored trimmed and lowercased. A new email domain moves the user's delegated calendar access to the credential of that domain (synced in the background).",
    example: 'jane@acme.com',
  })
  @IsOptionalNotNull()
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(254)
  email?: string;

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
}
