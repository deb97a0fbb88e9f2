import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/**
 * What every test app of the run answered and logged, appended to files in TEST_CAPTURE_DIR (made by the global
 * setup) so the global teardown can scan them for secrets after all e2e suites (test/setup/scan-run-for-secrets.ts).
 * Without TEST_CAPTURE_DIR nothing is captured.
 */
const file = (kind: 'responses' | 'logs') => {
  const dir = process.env.TEST_CAPTURE_DIR;
  return dir ? path.join(dir, `${kind}-${process.pid}.log`) : undefined;
};

/** Express middleware: appends each response's status, headers and body to the run's capture. */
export function captureResponses(req: Request, res: Response, next: NextFunction): void {
  const target = file('responses');
  if (!target) return next();
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const keep = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') keep(chunk);
    appendFileSync(
      target,
      `${req.method} ${req.originalUrl} ${res.statusCode} ${JSON.stringify(res.getHeaders())}\n${Buffer.concat(chunks).toString('utf8')}\n`,
    );
    return end(chunk, ...rest);
  }) as Response['end'];
  next();
}

/** A pino destination that writes to stdout, as the service does, and to the run's capture. */
export const captureLogDestination = {
  write(chunk: string): void {
    process.stdout.write(chunk);
    const target = file('logs');
    if (target) appendFileSync(target, chunk);
  },
};
