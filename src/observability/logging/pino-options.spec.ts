import pino from 'pino';
import { prettyStream } from './logging.module';
import { PINO_LEVEL, pinoHttpOptions } from './pino-options';
import { REDACTED, REDACTED_KEYS, redactSecrets, UNREADABLE } from './redaction';

function capture(level: Parameters<typeof pinoHttpOptions>[0] = 'log') {
  const chunks: string[] = [];
  const { level: pinoLevel, formatters, serializers } = pinoHttpOptions(level);
  const logger = pino(
    { level: pinoLevel, formatters, serializers },
    { write: (chunk: string) => chunks.push(chunk) },
  );
  return { logger, text: () => chunks.join('') };
}

describe('log options', () => {
  it('maps LOG_LEVEL (Nest names) to pino levels', () => {
    expect(PINO_LEVEL).toEqual({
      error: 'error',
      warn: 'warn',
      log: 'info',
      debug: 'debug',
      verbose: 'trace',
    });
    const { logger, text } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(text()).not.toContain('hidden');
    expect(text()).toContain('shown');
  });

  it('redacts every listed key at the top and up to three levels down, dashed header names included', () => {
    const { logger, text } = capture();
    for (const key of REDACTED_KEYS) {
      logger.info({ [key]: 'v0', a: { [key]: 'v1', b: { [key]: 'v2', c: { [key]: 'v3' } } } });
      logger.info({ list: [{ [key]: 'v1' }], nested: [[{ [key]: 'v2' }]] });
    }
    expect(text()).not.toMatch(/"v[0-3]"/);
    expect(text().match(/\[Redacted\]/g)).toHaveLength(REDACTED_KEYS.length * 6);
  });

  it('redacts under req, res and err (serialized after formatters.log), in Error objects, and the request binding', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: 'v0', cookie: 'v1' } } });
    logger.warn({ err: { config: { headers: { Authorization: 'v2' } } } });
    const error = Object.assign(new Error('boom'), { config: { headers: { Authorization: 'v3' } } });
    logger.error({ err: error });
    logger.error({ error });
    // pino-http's per-request child logger: its `req` binding goes through the req serializer.
    logger.child({ req: { headers: { 'x-cal-secret-key': 'v4', cookie: 'v5' } } }).info('child');
    expect(text()).not.toMatch(/"v[0-5]"/);
    expect(text()).toContain('boom');
  });

  it('never throws for a throwing getter or toJSON: the value is logged as unreadable', () => {
    const { logger, text } = capture();
    const hostile = {
      get boom(): string {
        throw new Error('getter');
      },
      nested: {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
      fine: 1,
    };
    expect(() => logger.info(hostile, 'hostile')).not.toThrow();
    expect(JSON.parse(text())).toMatchObject({
      boom: UNREADABLE,
      nested: UNREADABLE,
      fine: 1,
      msg: 'hostile',
    });
  });

  it('never mutates what is logged, and returns it as is when there is nothing to redact', () => {
    const headers = { authorization: 'Bearer x', accept: '*/*' };
    const logged = { req: { headers }, other: { a: 1 } };
    const redacted = redactSecrets(logged) as typeof logged;
    expect(redacted.req.headers).toEqual({ authorization: REDACTED, accept: '*/*' });
    expect(headers.authorization).toBe('Bearer x');
    expect(redacted.other).toBe(logged.other);
    const clean = { a: { b: [1, 2, { c: 'd' }] }, at: new Date(0), bytes: Buffer.from('secret') };
    expect(redactSecrets(clean)).toBe(clean);
    // Only REDACTION_DEPTH levels below the top: the bound keeps the walk's cost fixed.
    expect(redactSecrets({ a: { b: { c: { d: { secret: 'deep' } } } } })).toEqual({
      a: { b: { c: { d: { secret: 'deep' } } } },
    });
  });

  it('LOG_FORMAT=pretty, or a terminal without LOG_FORMAT, chooses pino-pretty; otherwise JSON', () => {
    expect(prettyStream('json', true)).toBeUndefined();
    expect(prettyStream(undefined, false)).toBeUndefined();
    expect(prettyStream(undefined, true)).toBeDefined();
    expect(prettyStream('pretty', false)).toBeDefined();
  });
});
