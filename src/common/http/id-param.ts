import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Largest PostgreSQL `integer`: ids beyond it are not ids (and would make Prisma throw). */
export const MAX_INT4 = 2_147_483_647;

/**
 * Parses a numeric id written in plain decimal digits (no '1e3', '0x10', '1.0') into a positive int4, or throws a
 * 400 naming the parameter (prefixed with `context`, e.g. the guard that checked it). Never a database error.
 */
export function parseId(name: string, raw: string | undefined, context?: string): number {
  const id = raw !== undefined && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_INT4) {
    const prefix = context ? `${context} - ` : '';
    throw new BadRequestException(`${prefix}${name} must be a positive integer, got '${raw ?? ''}'.`);
  }
  return id;
}

/**
 * A numeric id path parameter (`membershipId`, `userId`) as a number. A custom decorator rather than a pipe on
 * @Param because the global ValidationPipe (transform) turns a `number` param into Number(raw) first, so a pipe
 * would see NaN for 'abc' and accept '1e3' or '0x10'.
 */
export const IdParam = createParamDecorator((name: string, ctx: ExecutionContext): number =>
  parseId(name, ctx.switchToHttp().getRequest<Request>().params[name] as string | undefined),
);
