import { ValidateIf } from 'class-validator';
import { MembershipRole } from '../../generated/prisma/client';

/** Role values in the order of Cal.com's published enum. */
export const MEMBERSHIP_ROLES = [MembershipRole.MEMBER, MembershipRole.OWNER, MembershipRole.ADMIN] as const;

/**
 * Like @IsOptional(), but only an absent property is skipped: `null` is validated (and rejected) instead of being
 * passed through to Prisma, where it would fail as a 500 or clear a column the API never lets a client clear.
 */
export const IsOptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** Trims and lowercases strings (emails, usernames) before validation; other values are left to the validators. */
export const trimLower = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** Trims strings before validation. */
export const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;
