import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { Prisma } from '../../generated/prisma/client';
import { isDatabaseUnavailable } from '../../prisma/prisma-errors';
import { ProviderError } from '../../providers/provider.errors';
import type { AppRequest } from '../http/request-context';

export interface ErrorBody {
  status: 'error';
  timestamp: string;
  path: string;
  error: { code: string; message: string; details?: unknown };
}

const PRISMA_ERRORS: Record<string, { status: HttpStatus; message: string }> = {
  P2002: {
    status: HttpStatus.CONFLICT,
    message: 'Invalid Input: Trying to create a record that already exists.',
  },
  P2025: { status: HttpStatus.NOT_FOUND, message: 'Invalid Query: The requested record was not found.' },
  P2003: { status: HttpStatus.BAD_REQUEST, message: 'Invalid input: The referenced data does not exist.' },
};

const DATABASE_UNAVAILABLE = {
  code: 'ServiceUnavailableException',
  message: 'The database is unavailable right now; retry the request shortly.',
};

/**
 * The one error envelope: `{status:"error", timestamp, path, error:{code, message, details?}}`.
 * HttpExceptions keep their status and message; Prisma's known codes map to 409/404/400; anything else is a 500
 * whose detail goes only to the log (with the request id), never to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<AppRequest>();
    const response = ctx.getResponse<Response>();
    const { status, error } = this.describe(exception, request);
    if (exception instanceof ProviderError && exception.retryAfterMs !== undefined) {
      response.setHeader('Retry-After', Math.max(1, Math.ceil(exception.retryAfterMs / 1000)));
    }
    if (status === 503 && error.code === DATABASE_UNAVAILABLE.code) response.setHeader('Retry-After', 1);
    const body: ErrorBody = {
      status: 'error',
      timestamp: new Date().toISOString(),
      path: request.originalUrl ?? request.url,
      error,
    };
    if (!response.headersSent) response.status(status).json(body);
  }

  private describe(exception: unknown, request: AppRequest): { status: number; error: ErrorBody['error'] } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const details =
        typeof payload === 'object' && payload !== null ? stripStandardFields(payload) : undefined;
      if (status >= 500) this.logUnexpected(exception, request);
      return {
        status,
        error: { code: exception.name, message: exception.message, ...(details ? { details } : {}) },
      };
    }
    if (exception instanceof ProviderError) {
      // Permanent configuration problems are the admin's to fix (400); outages are 502/503.
      return {
        status: exception.httpStatus,
        error: {
          code: 'ProviderError',
          message: exception.message,
          details: {
            type: exception.type,
            platform: exception.platform,
            permanent: exception.permanent,
            ...(exception.retryAfterMs !== undefined
              ? { retryAfterSeconds: Math.ceil(exception.retryAfterMs / 1000) }
              : {}),
          },
        },
      };
    }
    if (exception instanceof Prisma.PrismaClientKnownRequestError && PRISMA_ERRORS[exception.code]) {
      const mapped = PRISMA_ERRORS[exception.code];
      return { status: mapped.status, error: { code: exception.code, message: mapped.message } };
    }
    if (isDatabaseUnavailable(exception)) {
      // A restart, failover or killed connection: transient, and the client may retry (never a bare 500).
      this.logger.warn(
        `${request.method} ${request.originalUrl ?? request.url}: database unavailable (requestId=${request.requestId}): ${
          (exception as Error).message
        }`,
      );
      return { status: HttpStatus.SERVICE_UNAVAILABLE, error: { ...DATABASE_UNAVAILABLE } };
    }
    if (isBodyParserError(exception)) {
      return {
        status: exception.status,
        error: {
          code: exception.status === 413 ? 'PayloadTooLargeException' : 'BadRequestException',
          message: exception.status === 413 ? 'Request body is too large' : 'Request body is not valid JSON',
        },
      };
    }
    this.logUnexpected(exception, request);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      error: { code: 'InternalServerErrorException', message: 'There was an error, please try again later.' },
    };
  }

  private logUnexpected(exception: unknown, request: AppRequest): void {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      `${request.method} ${request.originalUrl ?? request.url} failed (requestId=${request.requestId}): ${err.message}`,
      err.stack,
    );
  }
}

/** Nest's HttpException payload repeats message/statusCode/error; keep only the extra details. */
function stripStandardFields(payload: object): Record<string, unknown> | undefined {
  const {
    message: _message,
    statusCode: _statusCode,
    error: _error,
    ...rest
  } = payload as Record<string, unknown>;
  return Object.keys(rest).length ? rest : undefined;
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number' &&
    ['entity.parse.failed', 'entity.too.large', 'encoding.unsupported', 'charset.unsupported'].includes(
      (error as { type: string }).type,
    )
  );
}
