import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Level, type LevelWithSilent, stdSerializers } from 'pino';
import type { Options } from 'pino-http';
import type { AppRequest } from '../../common/http/request-context';
import type { EnvironmentVariables } from '../../config/env.validation';
import { redactingSerializer, redactLogObject } from './redaction';

/** LOG_LEVEL (Nest's names, kept for compatibility) → pino's level. */
export const PINO_LEVEL: Record<EnvironmentVariables['LOG_LEVEL'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Top-level keys with a serializer: their serializer redacts its own output (pino serializes after formatters.log). */
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(['req', 'res', 'err']);

/** Probes and scrapes: logged at debug when they succeed, so they do not drown the access log. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

type Req = IncomingMessage &
  Partial<Pick<AppRequest, 'requestId' | 'user' | 'organization' | 'authOrganizationId'>> & {
    route?: { path?: string };
    baseUrl?: string;
    originalUrl?: string;
  };

const pathOf = (req: Req): string => (req.originalUrl ?? req.url ?? '').split('?')[0];

/** The route pattern that matched (`/v2/organizations/:orgId/…`), never the raw path: ids stay out of the label. */
export function routePattern(req: Req): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

/** Fields of the one access-log line per request (the line's own fields; the request id comes from the bindings). */
function accessFields(req: Req, res: ServerResponse, durationMs: unknown) {
  return {
    method: req.method,
    route: routePattern(req),
    path: pathOf(req),
    status: res.statusCode,
    durationMs,
    userId: req.user?.id,
    orgId: req.organization?.id ?? req.authOrganizationId ?? undefined,
  };
}

/**
 * pino-http options shared by the API and the worker: level from LOG_LEVEL, the redaction list (redaction.ts: one
 * walk per line in `formatters`, and in the serializers of `req`, `res`, `err`), the request id
 * of requestIdMiddleware as `requestId` on every line a request causes, and one access line per request with
 * method, route pattern, path (never the query string: it may carry emails), status, duration (ms), user id and
 * org id. Headers are logged with the redaction list applied; bodies never.
 */
export function pinoHttpOptions(level: EnvironmentVariables['LOG_LEVEL']): Options<Req, ServerResponse> {
  return {
    level: PINO_LEVEL[level],
    formatters: {
      log: (object) => redactLogObject(object, SERIALIZED_KEYS),
      bindings: (bindings) => redactLogObject(bindings, SERIALIZED_KEYS),
    },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    // Lines logged during a request carry only the request id; the request itself is on the access line.
    quietReqLogger: true,
    genReqId: (req) => req.requestId ?? randomUUID(),
    serializers: {
      req: redactingSerializer((req: { method?: string; url?: string; headers?: unknown; raw?: Req }) => ({
        method: req.method,
        url: (req.url ?? '').split('?')[0],
        headers: req.headers,
        remoteAddress: (req.raw as { ip?: string } | undefined)?.ip,
      })),
      res: redactingSerializer((res: { statusCode?: number }) => ({ statusCode: res.statusCode })),
      // pino-http hands it pino's serialized error; a logger of its own (tests) the Error itself.
      err: redactingSerializer((err: unknown) => (err instanceof Error ? stdSerializers.err(err) : err)),
    },
    customLogLevel: (req, res, error): LevelWithSilent => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return QUIET_PATHS.test(pathOf(req)) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res) => `${req.method} ${routePattern(req) ?? pathOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routePattern(req) ?? pathOf(req)} ${res.statusCode}`,
    customSuccessObject: (req, res, val: { durationMs?: unknown }) => accessFields(req, res, val.durationMs),
    customErrorObject: (req, res, error, val: { durationMs?: unknown }) => ({
      ...accessFields(req, res, val.durationMs),
      // The exception filter logs the cause with its stack; the access line only says what failed.
      error: error.message,
    }),
  };
}
