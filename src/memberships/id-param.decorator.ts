import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

const MAX_INT4 = 2_147_483_647;

/** Parses a numeric id: a positive int4 written in plain decimal digits, or a 400 naming the parameter. */
export function parseId(name: string, raw: string | undefined): number {
  const id = raw !== undefined && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_INT4) {
    throw new BadRequestException(`${name} must be a positive integer, got '${raw ?? ''}'.`);
  }
  return id;
}

/**
 * A numeric id path parameter (`membershipId`, `userId`) as a number. A custom decorator rather than a pipe on
 * @Param because the global ValidationPipe (transform) turns a `number` param into Number(raw) first, so a pipe
 * would see NaN for 'abc' and accept '1e3' or '0x10'. Bad ids are a 400, never a Prisma error (500).
 */
export const IdParam = createParamDecorator((name: string, ctx: ExecutionContext): number =>
  parseId(name, ctx.switchToHttp().getRequest<Request>().params[name] as string | undefined),
);
