import type { Gauge } from 'prom-client';
import { METRIC, scrapedGauge } from './metric-definitions';

/** What fills the scraped gauges: registered by the API's ScrapedMetrics service while its app is running. */
export interface ScrapeSource {
  queueDepth(gauge: Gauge): Promise<void>;
  delegatedMembers(gauge: Gauge): Promise<void>;
  delegationCredentials(gauge: Gauge): Promise<void>;
  redisUp(gauge: Gauge): Promise<void>;
  pendingIntents(gauge: Gauge): Promise<void>;
  oldestPendingIntent(gauge: Gauge): Promise<void>;
}

/** The running sources (one per app in this process; the newest answers). */
const sources: ScrapeSource[] = [];

export function addScrapeSource(source: ScrapeSource): void {
  sources.push(source);
}

export function removeScrapeSource(source: ScrapeSource): void {
  const index = sources.indexOf(source);
  if (index >= 0) sources.splice(index, 1);
}

type Reading = keyof ScrapeSource;

const fill = (reading: Reading) => async (gauge: Gauge) => {
  gauge.reset();
  await sources.at(-1)?.[reading](gauge);
};

/** Creates the gauges in the default registry (once per process). */
export function registerScrapedGauges(): void {
  scrapedGauge(
    METRIC.QUEUE_JOBS,
    'Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, waiting-children, failed), read from Redis at scrape',
    ['queue', 'state'],
    fill('queueDepth'),
  );
  scrapedGauge(
    METRIC.DELEGATED_MEMBERS,
    'Delegated member credentials by delegation credential (the largest ones; the rest summed as "other") and state (pending, connected, failing, blocked), read from the database at scrape',
    ['credential', 'state'],
    fill('delegatedMembers'),
  );
  scrapedGauge(
    METRIC.DELEGATION_CREDENTIALS,
    'Delegation credentials by status (pending, active, failing, disabled, deleting), read from the database at scrape',
    ['status'],
    fill('delegationCredentials'),
  );
  scrapedGauge(
    METRIC.REDIS_UP,
    'Whether Redis answered PING within 1 s at scrape (1) or not (0); while 0, dc_queue_jobs is absent and job intents wait in PostgreSQL',
    [],
    fill('redisUp'),
  );
  scrapedGauge(
    METRIC.JOB_INTENTS_PENDING,
    'Job intents committed in PostgreSQL and not yet queued in Redis (the outbox), read from the database at scrape',
    [],
    fill('pendingIntents'),
  );
  scrapedGauge(
    METRIC.JOB_INTENTS_OLDEST,
    'Age in seconds of the oldest pending job intent (0 when none), read from the database at scrape',
    [],
    fill('oldestPendingIntent'),
  );
}
