import pino from 'pino';
import { prettyStream } from './logging.module';
import { PINO_LEVEL, pinoHttpOptions } from './pino-options';
import { REDACTED_KEYS, redactionPaths } from './redaction';

function capture(level: Parameters<typeof pinoHttpOptions>[0] = 'log') {
  const chunks: string[] = [];
  const { level: pinoLevel, redact } = pinoHttpOptions(level);
  const logger = pino({ level: pinoLevel, redact }, { write: (chunk: string) => chunks.push(chunk) });
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
    expect(redactionPaths(['a', 'x-y'], 1)).toEqual(['a', '["x-y"]', '*.a', '*["x-y"]']);
    const { logger, text } = capture();
    for (const key of REDACTED_KEYS) {
      logger.info({ [key]: 'v0', a: { [key]: 'v1', b: { [key]: 'v2', c: { [key]: 'v3' } } } });
    }
    expect(text()).not.toMatch(/"v[0-3]"/);
    expect(text().match(/\[Redacted\]/g)).toHaveLength(REDACTED_KEYS.length * 4);
  });

  it('LOG_FORMAT=pretty, or a terminal without LOG_FORMAT, chooses pino-pretty; otherwise JSON', () => {
    expect(prettyStream('json', true)).toBeUndefined();
    expect(prettyStream(undefined, false)).toBeUndefined();
    expect(prettyStream(undefined, true)).toBeDefined();
    expect(prettyStream('pretty', false)).toBeDefined();
  });
});
