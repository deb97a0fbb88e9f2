import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { Gauge } from 'prom-client';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES, WEBHOOK_QUEUE } from '../../jobs/jobs.types';
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

/** Credentials with their own `credential` label in dc_delegated_members; the rest are summed as "other". */
export const TOP_CREDENTIALS = 20;

/**
 * Gauges read when Prometheus scrapes the API (no bookkeeping on the hot path): queue depth from Redis
 * (Queue.getJobCounts) and delegated members / credentials from the database. Served by the API only, so several
 * replicas report the same values: aggregate them with max(), not sum(). A failing source is logged and leaves its
 * gauge empty rather than failing the scrape.
 */
@Injectable()
export class ScrapedMetricsService implements ScrapeSource, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ScrapedMetricsService.name);
  private queues: Queue[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly repository: DelegationMetricsRepository,
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
      for (const queue of this.queues) {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    });
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
    try {
      await read();
    } catch (error) {
      this.logger.warn(`metrics: could not read ${what}: ${(error as Error).message}`);
    }
  }
}
