import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { QUIT_TIMEOUT_MS, settleWithin } from '../redis/closing';
import { JobsService, type QueuedIntent } from './jobs.service';

/** Intents moved to BullMQ per transaction. */
const BATCH_SIZE = 500;
/** Longest wait for Redis per batch: a dispatcher never blocks longer than this on an unreachable Redis. */
const REDIS_TIMEOUT_MS = 5000;
/** Longest pause between attempts while Redis (or PostgreSQL) is failing: recovery is noticed this fast. */
const MAX_BACKOFF_MS = 5000;
/** The channel the JobIntent insert trigger notifies on commit (migration job_intents). */
export const JOB_INTENT_CHANNEL = 'job_intent';

const NOW = Prisma.sql`timezone('UTC', now())`;

interface IntentRow {
  id: bigint;
  name: string;
  jobId: string;
  queue: string;
  payload: Record<string, unknown>;
  runAt: Date;
}

/** What pending intents look like (operators: GET /health/ready, the dc_job_intents_* gauges; README "Seeing pending intents"). */
export interface PendingIntents {
  pending: number;
  /** Age in seconds of the oldest pending intent (0 when none). */
  oldestSeconds: number;
  /** Intents whose dispatch already failed at least once (Redis unreachable). */
  retrying: number;
  lastError: string | null;
  byName: Record<string, number>;
}

/**
 * Moves committed job intents (the JobIntent outbox, see job-intents.ts) to BullMQ, in every API and worker process:
 * - woken right after a transaction that recorded intents commits (LISTEN on `job_intent`, notified by an insert
 *   trigger), and polled every OUTBOX_POLL_INTERVAL_MS as the safety net;
 * - each batch is claimed with `FOR UPDATE SKIP LOCKED` inside one transaction, added to its queues, and deleted in
 *   that same transaction — so several dispatchers in several processes never take the same rows, and a row is
 *   deleted only once its job is in Redis. A crash between the add and the commit leaves the row: it is queued
 *   again under the same deterministic job id, which BullMQ ignores while the job exists;
 * - while Redis is unreachable a batch fails within REDIS_TIMEOUT_MS (producer connections do not queue commands
 *   offline), the rows stay with their attempt count and last error, and the dispatcher backs off (at most
 *   MAX_BACKOFF_MS) until Redis answers again. No request ever waits for any of this.
 */
@Injectable()
export class IntentDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IntentDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failures = 0;
  private listener: Client | null = null;
  private listening = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobsService,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const listener = this.listener;
    this.listener = null;
    this.listening = false;
    await listener?.end().catch(() => undefined);
    // A batch in flight ends within REDIS_TIMEOUT_MS, but shutdown does not wait that long for it: cut short, its
    // transaction rolls back and its rows stay pending for the next dispatcher.
    if (this.running) await settleWithin(this.running, QUIT_TIMEOUT_MS);
  }

  /** Dispatch now (a transaction that recorded intents committed). Never waits, never throws. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /**
   * Dispatches every intent that is due, batch after batch, until none is left or a batch fails. Returns how many
   * were queued. Throws the failure (Redis or PostgreSQL unreachable); the rows stay pending.
   */
  async dispatchDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const queued = await this.dispatchBatch();
      total += queued;
      if (queued < BATCH_SIZE) return total;
    }
  }

  /** Pending intents, for operators (CLI, metrics). */
  async pending(): Promise<PendingIntents> {
    const rows = await this.prisma.$queryRaw<
      { name: string; n: number; oldest: number | null; retrying: number; lastError: string | null }[]
    >`
      SELECT name, count(*)::int AS n,
        EXTRACT(EPOCH FROM (${NOW} - min("createdAt")))::float8 AS oldest,
        count(*) FILTER (WHERE attempts > 0)::int AS retrying,
        (array_agg("lastError" ORDER BY id DESC) FILTER (WHERE "lastError" IS NOT NULL))[1] AS "lastError"
      FROM "JobIntent" GROUP BY name`;
    return {
      pending: rows.reduce((sum, r) => sum + r.n, 0),
      oldestSeconds: Math.max(0, ...rows.map((r) => r.oldest ?? 0)),
      retrying: rows.reduce((sum, r) => sum + r.retrying, 0),
      lastError: rows.find((r) => r.lastError)?.lastError ?? null,
      byName: Object.fromEntries(rows.map((r) => [r.name, r.n])),
    };
  }

  private async dispatchBatch(): Promise<number> {
    let claimed: IntentRow[] = [];
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          claimed = await tx.$queryRaw<IntentRow[]>`
            SELECT id, name, "jobId", queue, payload, "runAt" FROM "JobIntent"
            WHERE "nextAttemptAt" <= ${NOW}
            ORDER BY id LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED`;
          if (!claimed.length) return 0;
          await this.jobs.enqueueIntents(claimed.map(toQueued), REDIS_TIMEOUT_MS);
          await tx.$executeRaw`DELETE FROM "JobIntent" WHERE id = ANY(${claimed.map((r) => r.id)}::bigint[])`;
          return claimed.length;
        },
        { maxWait: REDIS_TIMEOUT_MS, timeout: REDIS_TIMEOUT_MS * 3 },
      );
    } catch (error) {
      if (claimed.length) await this.recordFailure(claimed, error);
      throw error;
    }
  }

  /** The batch stays pending: count the attempt, keep the reason, and hold it back as long as this process backs off. */
  private async recordFailure(rows: IntentRow[], error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const backoffMs = this.backoffMs(this.failures + 1);
    await this.prisma.$executeRaw`
      UPDATE "JobIntent" SET attempts = attempts + 1, "lastError" = ${message},
        "nextAttemptAt" = ${NOW} + make_interval(secs => ${backoffMs / 1000})
      WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`.catch(() => undefined);
  }

  private backoffMs(failures: number): number {
    const poll = this.config.durability.outboxPollIntervalMs;
    return Math.min(MAX_BACKOFF_MS, Math.max(poll, 250 * 2 ** Math.min(failures, 10)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    await this.ensureListening();
    let delay = this.config.durability.outboxPollIntervalMs;
    let failed = false;
    try {
      do {
        this.again = false;
        const queued = await this.dispatchDue();
        if (queued) this.logger.debug(`dispatched ${queued} job intent(s)`);
      } while (this.again && !this.stopped);
      if (this.failures) this.logger.log(`job intents are being dispatched again`);
      this.failures = 0;
    } catch (error) {
      failed = true;
      this.failures++;
      delay = this.backoffMs(this.failures);
      // Once per outage, then quietly: pending intents are visible to operators (CLI, metric).
      if (this.failures === 1)
        this.logger.warn(`job intents not dispatched, retrying: ${(error as Error).message}`);
    }
    this.schedule(this.again && !failed ? 0 : delay);
  }

  /** A dedicated connection LISTENing for committed intents; re-established on the next tick when lost. */
  private async ensureListening(): Promise<void> {
    if (this.listening || this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: 5000 });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.nudge());
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_INTENT_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listening = this.listener === client;
    } catch {
      lost(); // PostgreSQL unreachable: the poll goes on, and the next tick tries again
    }
  }
}

function toQueued(row: IntentRow): QueuedIntent {
  return { name: row.name, jobId: row.jobId, queue: row.queue, payload: row.payload, runAt: row.runAt };
}
