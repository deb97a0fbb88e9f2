import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Gauge } from 'prom-client';
import { IntentDispatcher, type PendingIntents } from '../../jobs/intent-dispatcher.service';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES, WEBHOOK_QUEUE } from '../../jobs/jobs.types';
import { REDIS } from '../../redis/redis.module';
import { pingRedis } from '../../redis/redis-ping';
import { DelegationMetricsRepository } from './delegation-metrics.repository';
import {
  addScrapeSource,
  registerScrapedGauges,
  removeScrapeSource,
  type ScrapeSource,
} from './scraped-gauges';

/** Every queue of the job registry. */
export const OBSERVED_QUEUES = [LIFECYCLE_QUEUE, ...Object.values(VERIFY_QUEUES), WEBHOOK_QUEUE];

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;
const MEMBER_STATES = ['pending', 'connected', 'failing', 'blocked'];
const CREDENTIAL_STATUSES = ['pending', 'active', 'failing', 'disabled', 'deleting'];

/** A scrape asks Redis for PING first, and waits at most this long for it. */
const REDIS_PROBE_MS = 1000;
/** Longest wait for any one reading: past it the gauge is left empty (logged), the scrape is still answered. */
const READ_TIMEOUT_MS = 2000;
/**
 * `read()` shared while it is in flight: the gauges of one scrape (collected together) make one reading of Redis or
 * of the outbox between them, and the next scrape reads afresh.
 */
function sharedReading<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () =>
    (inFlight ??= read().finally(() => {
      inFlight = undefined;
    }));
}

/** Credentials with their own `credential` label in dc_delegated_members; the rest are summed as "other". */
export const TOP_CREDENTIALS = 20;

/**
 * Gauges read when Prometheus scrapes the API (no bookkeeping on the hot path): queue depth from Redis
 * (Queue.getJobCounts) and delegated members / credentials from the database. Served by the API only, so several
 * replicas report the same values: aggregate them with max(), not sum(). A failing source is logged and leaves its
 * gauge empty rather than failing the scrape, and every reading is bounded (READ_TIMEOUT_MS): with Redis down or
 * frozen, /metrics still answers at once, with dc_redis_up 0 and without dc_queue_jobs. Pending job intents
 * (dc_job_intents_pending, dc_job_intents_oldest_pending_seconds) come from the outbox table.
 */
@Injectable()
export class ScrapedMetricsService implements ScrapeSource, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ScrapedMetricsService.name);
  private queues: Queue[] = [];
  private readonly redisState = sharedReading(() => pingRedis(this.redis, REDIS_PROBE_MS));
  private readonly intents = sharedReading<PendingIntents>(() => this.dispatcher.pending());

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly repository: DelegationMetricsRepository,
    private readonly dispatcher: IntentDispatcher,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    this.queues = OBSERVED_QUEUES.map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    registerScrapedGauges();
    addScrapeSource(this);
  }

  onModuleDestroy(): void {
    removeScrapeSource(this);
  }

  async queueDepth(gauge: Gauge): Promise<void> {
    await this.guard('queue depth', async () => {
      // Redis down: no series rather than a scrape waiting for it (dc_redis_up says why).
      if ((await this.redisState()) !== 'up') return;
      const all = await Promise.all(this.queues.map((queue) => queue.getJobCounts(...QUEUE_STATES)));
      this.queues.forEach((queue, i) => {
        for (const state of QUEUE_STATES) gauge.set({ queue: queue.name, state }, all[i][state] ?? 0);
      });
    });
  }

  async redisUp(gauge: Gauge): Promise<void> {
    gauge.set((await this.redisState()) === 'up' ? 1 : 0);
  }

  async pendingIntents(gauge: Gauge): Promise<void> {
    await this.guard('pending job intents', async () => gauge.set((await this.intents()).pending));
  }

  async oldestPendingIntent(gauge: Gauge): Promise<void> {
    await this.guard('pending job intents', async () =>
      gauge.set(Math.round((await this.intents()).oldestSeconds * 1000) / 1000),
    );
  }

  async delegatedMembers(gauge: Gauge): Promise<void> {
    await this.guard('delegated members', async () => {
      const credentials = (await this.repository.membersByCredential()).sort((a, b) => b.total - a.total);
      const other: Record<string, number> = {};
      credentials.forEach((entry, rank) => {
        for (const state of MEMBER_STATES) {
          const count = entry.states[state] ?? 0;
          if (rank < TOP_CREDENTIALS) gauge.set({ credential: entry.credentialId, state }, count);
          else other[state] = (other[state] ?? 0) + count;
        }
      });
      if (credentials.length > TOP_CREDENTIALS) {
        for (const state of MEMBER_STATES) gauge.set({ credential: 'other', state }, other[state] ?? 0);
      }
    });
  }

  async delegationCredentials(gauge: Gauge): Promise<void> {
    await this.guard('delegation credentials', async () => {
      const counts = await this.repository.credentialsByStatus();
      for (const status of CREDENTIAL_STATUSES) gauge.set({ status }, counts[status] ?? 0);
    });
  }

  private async guard(what: string, read: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)),
            READ_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      this.logger.warn(`metrics: could not read ${what}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
