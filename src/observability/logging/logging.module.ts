import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import { AppConfigService } from '../../config/app-config.service';
import { pinoHttpOptions } from './pino-options';

/** Where log lines go: stdout unless overridden (tests capture the output by overriding this provider). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * LOG_FORMAT=pretty, or no LOG_FORMAT and a terminal on stdout: pino-pretty, in this thread (no transport worker),
 * so lines are not lost at exit. Otherwise undefined: pino's own JSON to stdout.
 */
export function prettyStream(
  format: 'json' | 'pretty' | undefined,
  isTTY: boolean,
): DestinationStream | undefined {
  if ((format ?? (isTTY ? 'pretty' : 'json')) !== 'pretty') return undefined;
  return pinoPretty({
    colorize: isTTY,
    sync: true,
    // `[Context] message` on one line; the access line's request (headers) stays in the JSON format only.
    messageFormat: '{if context}[{context}] {end}{msg}',
    ignore: 'pid,hostname,context,req',
  });
}

@Module({
  providers: [{ provide: LOG_DESTINATION, useValue: null }],
  exports: [LOG_DESTINATION],
})
class LogDestinationModule {}

/**
 * Structured logs through nestjs-pino (pino + pino-http) for the API and the worker: JSON lines, or pino-pretty
 * when LOG_FORMAT=pretty or stdout is a terminal. The request id is kept in an AsyncLocalStorage, so every line a
 * request causes carries it; job processors get their own context (see job-log-context.ts).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [LogDestinationModule],
      inject: [AppConfigService, LOG_DESTINATION],
      useFactory: (config: AppConfigService, destination: DestinationStream | null) => {
        const options = pinoHttpOptions(config.logLevel);
        const stream =
          destination ?? prettyStream(config.observability.logFormat, process.stdout.isTTY === true);
        return { pinoHttp: stream ? [options, stream] : options };
      },
    }),
  ],
})
export class LoggingModule {}
