import request, { type Response } from 'supertest';
import type { App } from 'supertest/types';
import type { PrismaService } from '../../src/prisma/prisma.service';
import { type FuzzBody, type FuzzRequest, SECRET_FIELD, toJsonText } from './openapi-arbitraries';

/** A request id as requestIdMiddleware makes it (a v4 UUID). */
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Sends one generated request over real HTTP with the given headers. */
export function send(server: App, c: FuzzRequest, headers: Record<string, string>): Promise<Response> {
  const req = request(server)[c.method as 'get'](c.url).set(headers);
  const body: FuzzBody = c.body;
  if (body.kind === 'json') return req.set('Content-Type', 'application/json').send(toJsonText(body.value));
  if (body.kind === 'raw') {
    if (body.contentType) req.set('Content-Type', body.contentType);
    if (body.contentEncoding) req.set('Content-Encoding', body.contentEncoding);
    return req.send(body.text);
  }
  return req;
}

/** The values of secret-named fields anywhere in a submitted body (what a response must never contain). */
export function submittedSecrets(value: unknown, key = '', out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(key) && value.length >= 8) out.push(value);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) submittedSecrets(v, Array.isArray(value) ? key : k, out);
  }
  return out;
}

/**
 * What a secret is recognised by in a response: the whole value, and for a PEM each line of its base64 body
 * (a fragment is as bad as the whole key).
 */
export function secretNeedles(secret: string): string[] {
  if (!secret.includes('-----BEGIN')) return [secret];
  return secret
    .split('\n')
    .filter((line) => line.length >= 16 && !line.startsWith('-----'))
    .concat(secret);
}

/** The error envelope every 4xx carries (the 429 of the rate limiter included). */
export const ERROR_ENVELOPE = {
  status: 'error',
  timestamp: expect.any(String),
  path: expect.any(String),
  error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
};

/**
 * Row counts and the newest `updatedAt` of every table, in one statement: what a rejected write must leave as it
 * was. Audit events count only successes: a refused provider check is recorded as a FAILURE event by design.
 * JobIntent is left out: it is the outbox, drained by the dispatcher in the background whatever the request did (an
 * intent is written in the transaction of its state change, so a refused write cannot leave one behind anyway).
 */
export async function databaseFingerprinter(
  prisma: PrismaService,
): Promise<() => Promise<Record<string, unknown>>> {
  const columns = await prisma.$queryRaw<{ table_name: string; has_updated: boolean }[]>`
    SELECT t.table_name,
           EXISTS (SELECT 1 FROM information_schema.columns c
                   WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                     AND c.column_name = 'updatedAt') AS has_updated
    FROM information_schema.tables t
    WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND t.table_name NOT IN ('_prisma_migrations', 'JobIntent')
    ORDER BY t.table_name`;
  const parts = columns.flatMap(({ table_name: table, has_updated: hasUpdated }) => {
    const where = table === 'DelegationCredentialAuditEvent' ? ` WHERE outcome = 'SUCCESS'` : '';
    const count = `(SELECT count(*) FROM "${table}"${where})::text AS "${table}.count"`;
    return hasUpdated
      ? [count, `(SELECT max("updatedAt") FROM "${table}")::text AS "${table}.updatedAt"`]
      : [count];
  });
  const sql = `SELECT ${parts.join(', ')}`;
  return async () => (await prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql))[0];
}
