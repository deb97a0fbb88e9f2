import { Prisma } from '../generated/prisma/client';

export function isPrismaError(error: unknown, code: string): error is Prisma.PrismaClientKnownRequestError {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}

/** P2002: a unique constraint was violated. */
export const isUniqueViolation = (error: unknown): error is Prisma.PrismaClientKnownRequestError =>
  isPrismaError(error, 'P2002');

/** Prisma's codes for a database that cannot be reached or stopped answering (P1xxx), or a pool wait that timed out. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** PostgreSQL SQLSTATEs: admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions (class 08). */
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08\d{3})$/;
const UNAVAILABLE_MESSAGE =
  /connection terminated|terminating connection|connection (is )?(closed|ended)|server closed the connection|ECONNREFUSED|ECONNRESET|EPIPE|can't reach database|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/**
 * The database was unreachable or dropped the connection (restart, failover, `pg_terminate_backend`, pool timeout):
 * a transient condition the client may retry (503), never a bug (500). Looks through Prisma's wrapping (`cause`,
 * `meta`) and at raw `pg` errors alike.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: unknown;
    originalCode?: unknown;
  };
  if (
    typeof e.code === 'string' &&
    (UNAVAILABLE_PRISMA_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))
  )
    return true;
  if (typeof e.originalCode === 'string' && UNAVAILABLE_SQLSTATE.test(e.originalCode)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.meta, depth + 1);
}
