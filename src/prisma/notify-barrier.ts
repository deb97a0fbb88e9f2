import { randomBytes } from 'node:crypto';
import type { Client, Notification } from 'pg';

/** A barrier that does not come back within this time fails (the LISTEN connection is then treated as lost). */
export const NOTIFY_BARRIER_TIMEOUT_MS = 2_000;

/**
 * Read-your-writes for a cache invalidated by LISTEN/NOTIFY. A notification reaches the listening connection
 * some time after the writer's COMMIT has returned, so a request that follows a change (on this process or any
 * other) could be answered from an entry that its notification has not dropped yet. `sync()` closes that window:
 * it sends a notification to a channel only this process listens on, over the LISTEN connection itself, and
 * resolves when it comes back. PostgreSQL delivers a session's notifications in commit order, so by then every
 * notification of a transaction committed before `sync()` was called has been handled.
 *
 * Concurrent callers share barriers: a caller joins the next barrier to start (one that started after it
 * arrived), so there is at most one barrier in flight and one waiting, whatever the request rate.
 */
export class NotifyBarrier {
  /** The private channel, to LISTEN on next to the invalidation channel: `<prefix>_<pid>_<random>`. */
  readonly channel: string;
  private sequence = 0;
  private readonly waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    prefix: string,
    private readonly client: () => Client | null,
    private readonly timeoutMs = NOTIFY_BARRIER_TIMEOUT_MS,
  ) {
    this.channel = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  }

  /** Handles `message` if it is one of this barrier's (true), else leaves it to the caller (false). */
  handle(message: Notification): boolean {
    if (message.channel !== this.channel) return false;
    const token = message.payload ?? '';
    const waiter = this.waiting.get(token);
    this.waiting.delete(token);
    waiter?.resolve();
    return true;
  }

  /** Fails every barrier in flight (the connection was lost): their callers read the database instead. */
  reset(error: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  /**
   * Resolves once every notification committed before this call has been handled; rejects when the connection is
   * gone or the barrier takes longer than the timeout (callers then bypass the cache).
   */
  sync(): Promise<void> {
    if (!this.current) {
      this.current = this.run().finally(() => (this.current = null));
      return this.current;
    }
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }

  private run(): Promise<void> {
    const client = this.client();
    if (!client) return Promise.reject(new Error('not listening'));
    const token = String(++this.sequence);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new Error(`no notification within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      const settle =
        <A extends unknown[]>(fn: (...args: A) => void) =>
        (...args: A) => {
          clearTimeout(timer);
          fn(...args);
        };
      this.waiting.set(token, { resolve: settle(resolve), reject: settle(reject) });
      client.query('SELECT pg_notify($1, $2)', [this.channel, token]).catch((error: Error) => {
        const waiter = this.waiting.get(token);
        this.waiting.delete(token);
        waiter?.reject(error);
      });
    });
  }
}
