import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { ErrorBody } from '../filters/all-exceptions.filter';
import { REQUEST_ID_HEADER } from './request-id.middleware';

const MAX_PATH_IN_BODY = 2048;

/** Node's HTTP parser errors → status and message (what Node would answer, in the envelope). */
function describe(code: string | undefined) {
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      name: 'RequestHeaderFieldsTooLargeException',
      message: 'Request line or headers are too large',
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'Request Timeout',
      name: 'RequestTimeoutException',
      message: 'Request was not received in time',
    };
  return {
    status: 400,
    reason: 'Bad Request',
    name: 'BadRequestException',
    message: 'Malformed HTTP request',
  };
}

/** The request target of the request line in `raw` (what the envelope's `path` says), bounded. */
function targetOf(raw: Buffer | undefined): string {
  const line =
    raw
      ?.subarray(0, MAX_PATH_IN_BODY + 64)
      .toString('latin1')
      .split('\r\n', 1)[0] ?? '';
  const target = line.split(' ')[1] ?? '';
  return /^[\x21-\x7e]*$/.test(target) ? target.slice(0, MAX_PATH_IN_BODY) : '';
}

/**
 * Requests Node's HTTP parser refuses before any middleware runs (request line or headers beyond
 * `--max-http-header-size`: 431; malformed HTTP: 400; headers not received in time: 408) get the same error
 * envelope and a fresh X-Request-Id as every other error, instead of Node's bare status line. The connection is
 * closed afterwards, as Node does.
 */
export function answerClientErrorsWithEnvelope(server: Server): void {
  const logger = new Logger('HttpParser');
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, reason, name, message } = describe(error.code);
    const requestId = randomUUID();
    const body: ErrorBody = {
      status: 'error',
      timestamp: new Date().toISOString(),
      path: targetOf(error.rawPacket),
      error: { code: name, message },
    };
    const json = JSON.stringify(body);
    logger.warn(`${status} ${reason} (${error.code ?? 'parse error'}) requestId=${requestId}`);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        json,
    );
  });
}
