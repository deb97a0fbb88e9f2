import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { AppRequest } from './request-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Gives every request a fresh id (never the client's, as Cal.com does) and returns it as X-Request-Id on every
 * response, errors included. The logging module (src/observability/logging) puts the same id on every log line
 * the request causes and writes the one access-log line per request.
 */
export function requestIdMiddleware(req: AppRequest, res: Response, next: NextFunction): void {
  req.requestId = randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  next();
}
