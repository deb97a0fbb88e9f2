import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Deepest nesting of objects and arrays a JSON body may have. Our bodies nest 3 levels at most; the limit leaves
 * room for clients that wrap them, and keeps the recursive steps after parsing (class-transformer, class-validator)
 * far from the stack limit: a body nested a few thousand levels deep exhausted it (a 500).
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest bracket nesting of JSON text (brackets inside strings do not count), in one pass over the bytes. */
export function jsonDepth(body: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) deepest = Math.max(deepest, ++depth);
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return deepest;
}

/**
 * body-parser `verify` hook, before the body is parsed: nesting deeper than MAX_JSON_DEPTH is refused as a 400 (an
 * http-errors style error the exception filter answers in the envelope).
 */
export function verifyJsonBody(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}
