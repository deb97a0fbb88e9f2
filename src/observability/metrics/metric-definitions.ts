import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Every series this service exports (README "Operations" lists them). They live in prom-client's default registry,
 * the one @willsoto/nestjs-prometheus serves, created on first use so the API, the worker and the hooks in the
 * provider layer share one instance per process.
 */

/** Seconds; from a fast token-cached call (~5 ms) to a provider timeout or a long provisioning batch. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900];

function getOrCreate<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const METRIC = {
  HTTP_DURATION: 'dc_http_request_duration_seconds',
  HTTP_RATE_LIMITED: 'dc_http_rate_limited_total',
  JOB_DURATION: 'dc_job_duration_seconds',
  JOBS_STALLED: 'dc_jobs_stalled_total',
  PROVIDER_CALL_DURATION: 'dc_provider_call_duration_seconds',
  PROVIDER_TOKEN_MINTS: 'dc_provider_token_mints_total',
  PROVIDER_CLIENT_CACHE: 'dc_provider_client_cache_total',
  WEBHOOK_DELIVERIES: 'dc_webhook_deliveries_total',
  QUEUE_JOBS: 'dc_queue_jobs',
  DELEGATED_MEMBERS: 'dc_delegated_members',
  DELEGATION_CREDENTIALS: 'dc_delegation_credentials',
  REDIS_UP: 'dc_redis_up',
  JOB_INTENTS_PENDING: 'dc_job_intents_pending',
  JOB_INTENTS_OLDEST: 'dc_job_intents_oldest_pending_seconds',
} as const;

export const httpDuration = () =>
  getOrCreate(
    METRIC.HTTP_DURATION,
    () =>
      new Histogram({
        name: METRIC.HTTP_DURATION,
        help: 'HTTP requests of the API by method, route pattern and status (seconds)',
        labelNames: ['method', 'route', 'status'],
        buckets: LATENCY_BUCKETS,
      }),
  );

export const httpRateLimited = () =>
  getOrCreate(
    METRIC.HTTP_RATE_LIMITED,
    () =>
      new Counter({
        name: METRIC.HTTP_RATE_LIMITED,
        help: 'Requests refused with 429 by the rate limits, by limit (default, verify, busyTimes) and caller kind',
        labelNames: ['limit', 'caller'],
      }),
  );

export const jobDuration = () =>
  getOrCreate(
    METRIC.JOB_DURATION,
    () =>
      new Histogram({
        name: METRIC.JOB_DURATION,
        help: 'Job attempts by queue, job name and outcome (completed, retrying, failed), in seconds',
        labelNames: ['queue', 'name', 'outcome'],
        buckets: JOB_BUCKETS,
      }),
  );

export const jobsStalled = () =>
  getOrCreate(
    METRIC.JOBS_STALLED,
    () =>
      new Counter({
        name: METRIC.JOBS_STALLED,
        help: 'Jobs whose worker lost the lock (crashed or blocked) and that were moved back to wait, by queue',
        labelNames: ['queue'],
      }),
  );

export const providerCallDuration = () =>
  getOrCreate(
    METRIC.PROVIDER_CALL_DURATION,
    () =>
      new Histogram({
        name: METRIC.PROVIDER_CALL_DURATION,
        help: 'Google / Microsoft calls (retries included) by platform, operation and outcome (ok or the ProviderError type), in seconds',
        labelNames: ['platform', 'operation', 'outcome'],
        buckets: LATENCY_BUCKETS,
      }),
  );

export const providerTokenMints = () =>
  getOrCreate(
    METRIC.PROVIDER_TOKEN_MINTS,
    () =>
      new Counter({
        name: METRIC.PROVIDER_TOKEN_MINTS,
        help: 'Access tokens requested from Google / Microsoft Entra (not served from a token cache), by platform',
        labelNames: ['platform'],
      }),
  );

export const providerClientCache = () =>
  getOrCreate(
    METRIC.PROVIDER_CLIENT_CACHE,
    () =>
      new Counter({
        name: METRIC.PROVIDER_CLIENT_CACHE,
        help: 'Lookups of the authenticated SDK client cache (each client keeps its token): hit or miss',
        labelNames: ['result'],
      }),
  );

export const webhookDeliveries = () =>
  getOrCreate(
    METRIC.WEBHOOK_DELIVERIES,
    () =>
      new Counter({
        name: METRIC.WEBHOOK_DELIVERIES,
        help: 'Org webhook delivery attempts by outcome: delivered, skipped, retrying, failed (given up)',
        labelNames: ['outcome'],
      }),
  );

/** A gauge whose value is read when Prometheus scrapes (`collect`), e.g. queue depth or rows in the database. */
export function scrapedGauge(
  name: string,
  help: string,
  labelNames: string[],
  collect: (gauge: Gauge) => Promise<void>,
): Gauge {
  return getOrCreate(
    name,
    () =>
      new Gauge({
        name,
        help,
        labelNames,
        async collect() {
          await collect(this);
        },
      }),
  );
}
