import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface GracefulShutdown {
  /** `API` or `Worker`, for the log lines. */
  processName: string;
  /** SHUTDOWN_TIMEOUT_MS: the process exits after this long at the latest. */
  timeoutMs: number;
  /** Stop taking new work and let the work in flight finish (HTTP requests, jobs). Runs first. */
  drain: () => Promise<void>;
  /** Then close everything else (the Nest application: database pool, Redis connections). */
  close: () => Promise<void>;
}

/**
 * Graceful, bounded shutdown on SIGTERM/SIGINT, in this order: `drain` (the HTTP server stops accepting connections
 * and in-flight requests complete; workers finish their jobs or hand them back), then `close` (the Nest app: hooks,
 * database, Redis). Nest's own shutdown hooks would close the database before the HTTP server, failing the requests
 * still in flight. The process exits after `timeoutMs` at the latest, even when Redis or PostgreSQL is unreachable
 * and a close would wait for it for ever (exit code 1 then; 0 after a clean shutdown). Late rejections of
 * connections closing against an unreachable Redis are logged, not fatal, so they cannot cut requests short.
 */
export function handleShutdownSignals(shutdown: GracefulShutdown): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.log(
      `${shutdown.processName}: ${signal} received, shutting down (deadline ${shutdown.timeoutMs} ms)`,
    );
    process.on('unhandledRejection', (reason) =>
      logger.warn(`while shutting down: ${reason instanceof Error ? reason.message : String(reason)}`),
    );
    setTimeout(() => {
      logger.error(
        `${shutdown.processName}: shutdown did not finish within ${shutdown.timeoutMs} ms; exiting now`,
      );
      process.exit(1);
    }, shutdown.timeoutMs).unref();
    void (async () => {
      try {
        await shutdown.drain();
      } catch (error) {
        logger.error(`${shutdown.processName}: draining failed: ${(error as Error).message}`);
        process.exit(1);
      }
      // The work in flight is done; a connection that cannot close cleanly (Redis unreachable) is not a failure.
      await shutdown
        .close()
        .catch((error: Error) =>
          logger.warn(`${shutdown.processName}: closed with errors: ${error.message}`),
        );
      logger.log(`${shutdown.processName}: shut down`);
      process.exit(0);
    })();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/**
 * Stops the HTTP server from accepting connections and resolves once every in-flight request has been answered:
 * idle keep-alive connections are closed at once, busy ones as soon as their response is sent.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
