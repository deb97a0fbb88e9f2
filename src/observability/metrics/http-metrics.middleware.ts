import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { routePattern } from '../logging/pino-options';
import { httpDuration } from './metric-definitions';

/**
 * Times every API request into dc_http_request_duration_seconds{method,route,status}. `route` is the matched route
 * pattern (bounded: never ids), `unmatched` for anything no route served (404s, /docs assets).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const end = httpDuration().startTimer();
    res.on('finish', () =>
      end({ method: req.method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) }),
    );
    next();
  }
}
