import { type IRedisClient, Queue, type Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

/** Longest wait for a clean QUIT on a connection that looks alive (a healthy Redis answers in about a millisecond). */
export const QUIT_TIMEOUT_MS = 1000;
/**
 * How long a forced disconnect is given to report the connection ended. The disconnect itself is synchronous; while
 * ioredis waits to reconnect it never reports the end, and nothing is left to wait for.
 */
const DISCONNECT_WAIT_MS = 100;
/** Longest wait for a BullMQ connection to report itself connected before closing it: past this it is not. */
const CONNECTED_PROBE_MS = 100;

/** `promise`'s value, or `undefined` once `ms` have passed or if it rejects. Never throws, never keeps the process. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes an ioredis client without ever hanging or throwing: QUIT (bounded by `timeoutMs`) while it is connected,
 * otherwise — Redis unreachable, reconnecting, the QUIT refused or unanswered — a plain disconnect. QUIT on a client
 * that is not connected either fails ("Stream isn't writeable and enableOfflineQueue options is false") or waits in
 * its offline queue for a Redis that may never return.
 */
export async function closeRedisClient(client: Redis | Cluster, timeoutMs = QUIT_TIMEOUT_MS): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready' && (await settleWithin(client.quit(), timeoutMs)) === 'OK') return;
  client.disconnect();
}

/** The connected ioredis client of a BullMQ Worker, or `undefined` when it is not connected right now. */
async function connectedClient(worker: Worker): Promise<IRedisClient | undefined> {
  const client = await settleWithin(worker.getBackend().client, CONNECTED_PROBE_MS);
  return client?.status === 'ready' ? client : undefined;
}

/**
 * Closes a BullMQ Worker within `graceMs`, never throwing: while Redis answers it stops taking jobs and waits for
 * the ones in flight (BullMQ's graceful close); when Redis is unreachable — at the start or during the wait — or the
 * jobs outlast `graceMs`, it force-closes (disconnects). A job cut short that way keeps its lock until it expires,
 * then another worker takes it again (jobs are idempotent).
 */
export async function closeWorker(worker: Worker, graceMs: number): Promise<void> {
  const client = await connectedClient(worker);
  if (!client) {
    await settleWithin(worker.close(true), QUIT_TIMEOUT_MS);
    return;
  }
  let onLost: (() => void) | undefined;
  const lost = new Promise<'lost'>((resolve) => {
    onLost = () => resolve('lost');
    client.once('close', onLost);
  });
  const closed = worker.close().then(
    () => 'closed' as const,
    () => 'failed' as const,
  );
  const outcome = await Promise.race([
    closed,
    lost,
    settleWithin(new Promise<never>(() => undefined), graceMs),
  ]);
  if (onLost) client.off('close', onLost);
  if (outcome !== 'closed') await settleWithin(worker.disconnect(), DISCONNECT_WAIT_MS);
}

/**
 * BullMQ's Queue whose `close()` never hangs or rejects (@nestjs/bullmq creates every registered queue with it, see
 * QueueModule): a clean close while Redis answers (bounded by QUIT_TIMEOUT_MS), otherwise a disconnect. BullMQ's own
 * close rejects on a producer connection that is not connected ("Stream isn't writeable and enableOfflineQueue
 * options is false"), which made `app.close()` fail whenever Redis was down.
 */
export class ShutdownSafeQueue extends Queue {
  private safeClosing?: Promise<void>;

  override close(): Promise<void> {
    this.safeClosing ??= (async () => {
      // Not connected: QUIT fails at once (producer connections queue nothing offline) and the disconnect follows.
      const closed = await settleWithin(
        super.close().then(() => true),
        QUIT_TIMEOUT_MS,
      );
      if (!closed) await settleWithin(this.disconnect(), DISCONNECT_WAIT_MS);
    })();
    return this.safeClosing;
  }
}

/**
 * How long a worker waits for its jobs in flight on shutdown: 60 % of SHUTDOWN_TIMEOUT_MS, leaving the rest for
 * closing the database and Redis connections before the process deadline.
 */
export function workerCloseGraceMs(config: { durability: { shutdownTimeoutMs: number } }): number {
  return Math.floor(config.durability.shutdownTimeoutMs * 0.6);
}
