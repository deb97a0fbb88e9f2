import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AuthRepository } from './auth.repository';

/** How often collected `lastUsedAt` stamps are written (milliseconds): the column's precision. */
export const API_KEY_USAGE_FLUSH_MS = 10_000;

/**
 * `ApiKey.lastUsedAt` bookkeeping off the request path: requests only note the key and the time in memory; the
 * latest stamp of every key used is written every API_KEY_USAGE_FLUSH_MS in one statement (and on shutdown), so a
 * key used 1,000 times a second costs one UPDATE per interval instead of 1,000. A failed write is logged and its
 * stamps are kept for the next interval; it never fails a request.
 */
@Injectable()
export class ApiKeyUsageRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyUsageRecorder.name);
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly auth: AuthRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), API_KEY_USAGE_FLUSH_MS);
    this.timer.unref();
  }

  /** Notes a use of key `id` now. */
  record(id: string, at: Date = new Date()): void {
    this.pending.set(id, at);
  }

  /** Writes every pending stamp now (one statement). Resolves when written, or failed and kept for later. */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.auth.touchApiKeys(batch).then(
      () => undefined,
      (error: Error) => {
        this.logger.warn(`lastUsedAt of ${batch.size} key(s) not written: ${error.message}`);
        for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
