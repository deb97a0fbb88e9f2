import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { AppRequest } from './request-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const logger = new Logger('HTTP');

/**
 * Gives every request a fresh id (never the client's, as Cal.com does), returns it as X-Request-Id on every
 * response, errors included, and writes one access-log line per request when the response is sent:
 * method, path (no query string: it may carry emails), status, duration, request id and the caller's user id.
 * Headers and bodies are never logged.
 */
export function requestIdMiddleware(req: AppRequest, res: Response, next: NextFunction): void {
  req.requestId = randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const path = (req.originalUrl ?? req.url).split('?')[0];
    const user = req.user ? ` user=${req.user.id}` : '';
    logger.log(
      `${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms requestId=${req.requestId}${user}`,
    );
  });
  next();
}
