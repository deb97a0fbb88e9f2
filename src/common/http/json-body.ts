import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException } from '@nestjs/common';

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
const LOWER_U = 0x75;

/** The UTF-16 code unit of a `\uXXXX` escape whose hex digits start at `at`, or -1. */
function escapedUnit(body: Buffer, at: number): number {
  const hex = body.toString('latin1', at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * One pass over JSON text: the deepest bracket nesting (brackets inside strings do not count), whether a string
 * holds a `\uXXXX` escape of a lone surrogate (a high one not followed by a low one, or a low one alone) — a
 * string that is not well-formed Unicode — and whether one holds `\u0000`. Raw bytes cannot carry surrogates (the
 * decoder replaces them), and raw control characters are not valid JSON.
 */
export function inspectJson(body: Buffer): { depth: number; loneSurrogate: boolean; nul: boolean } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let loneSurrogate = false;
  let nul = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === QUOTE) inString = false;
      else if (byte === BACKSLASH) {
        if (body[i + 1] === LOWER_U) {
          const unit = escapedUnit(body, i + 2);
          if (isHigh(unit)) {
            const next = body[i + 6] === BACKSLASH && body[i + 7] === LOWER_U ? escapedUnit(body, i + 8) : -1;
            if (isLow(next)) i += 6;
            else loneSurrogate = true;
          } else if (isLow(unit)) loneSurrogate = true;
          else if (unit === 0) nul = true;
          i += 5;
        } else i++;
      }
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) deepest = Math.max(deepest, ++depth);
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return { depth: deepest, loneSurrogate, nul };
}

/** The deepest bracket nesting of JSON text. */
export const jsonDepth = (body: Buffer): number => inspectJson(body).depth;

/**
 * body-parser `verify` hook, before the body is parsed:
 * - nesting deeper than MAX_JSON_DEPTH is refused;
 * - a string (value or key) that is not well-formed Unicode — a lone surrogate escape such as `"\ud800"` — is
 *   refused: validators that percent-encode (validator.js's isEmail, isByteLength) threw on them (a 500), and
 *   PostgreSQL would have stored U+FFFD in their place;
 * - a NUL character (`\u0000`) anywhere in a string is refused: PostgreSQL text cannot hold it (a 500 on write).
 * All as a 400 (an http-errors style error the exception filter answers in the envelope).
 */
export function verifyJsonBody(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  const { depth, loneSurrogate, nul } = inspectJson(body);
  if (depth > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
  if (nul) {
    throw Object.assign(new Error('Request body contains a NUL character'), {
      status: 400,
      type: 'entity.nul.character',
    });
  }
  if (loneSurrogate) {
    throw Object.assign(new Error('Request body contains a string that is not well-formed Unicode'), {
      status: 400,
      type: 'entity.invalid.unicode',
    });
  }
}

/** `%00` in the request target: a NUL character in a path parameter or query value once decoded. */
const ENCODED_NUL = /%00/i;

/**
 * Refuses a request whose path or query carries a NUL character (`%00`) with a 400 before any route: PostgreSQL
 * text cannot hold U+0000, and an event uid of `%00` reached it (a 500).
 */
export function rejectNulInUrl(
  req: IncomingMessage,
  _res: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (ENCODED_NUL.test(req.url ?? ''))
    next(new BadRequestException('Request path or query contains a NUL character (%00)'));
  else next();
}
