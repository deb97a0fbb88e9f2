import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type EnvironmentVariables, validateEnv } from './env.validation';
import { type MasterKey, parseMasterKeys } from './master-keys';
import type { ProviderLimits } from '../providers/provider-limiter';
import { parseSentinels, redisTarget, type RedisTarget } from '../redis/redis-target';

export interface ProviderEndpoints {
  /** Replaces https://oauth2.googleapis.com and https://www.googleapis.com (local fakes only). */
  googleApiBaseUrl?: string;
  /** Serves `/{tenant}/oauth2/v2.0/token` in place of https://login.microsoftonline.com (local fakes only). */
  microsoftLoginBaseUrl?: string;
  /** Replaces https://graph.microsoft.com (local fakes only). */
  microsoftGraphBaseUrl?: string;
}

export interface ObservabilityConfig {
  logFormat?: 'json' | 'pretty';
  metricsEnabled: boolean;
  /** Bearer token required by /metrics when set. */
  metricsToken?: string;
  /** Worker metrics port; undefined: no worker metrics server. */
  metricsPort?: number;
  queueDashboardEnabled: boolean;
}

export interface RateLimitConfig {
  enabled: boolean;
  ttlMs: number;
  blockDurationMs: number;
  /** Requests per window, per authentication method. */
  limits: { apiKey: number; oauthClient: number; unauthenticated: number };
  /** Extra per-route limits (per caller and window). */
  routeLimits: { verify: number; busyTimes: number };
}

/** Typed access to the validated configuration. The only place that knows variable names. */
@Injectable()
export class AppConfigService {
  private readonly env: EnvironmentVariables;
  private readonly masterKeys: MasterKey[];

  // ConfigService is injected so ConfigModule.forRoot has loaded `.env` into process.env first.
  constructor(_config: ConfigService) {
    this.env = validateEnv(process.env);
    this.masterKeys = parseMasterKeys(
      this.env.SERVICE_ACCOUNT_ENCRYPTION_KEY,
      this.env.SERVICE_ACCOUNT_ENCRYPTION_KEYS,
    );
  }

  private get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.env[key];
  }

  get nodeEnv(): EnvironmentVariables['NODE_ENV'] {
    return this.get('NODE_ENV');
  }
  get port(): number {
    return this.get('PORT');
  }
  get databaseUrl(): string {
    return this.get('DATABASE_URL');
  }
  /** Connections of the process's PostgreSQL pool. */
  get databasePoolSize(): number {
    return this.get('DATABASE_POOL_SIZE');
  }
  /** Lifetime of a cached API principal, in seconds (0: no cache). */
  get authCacheTtlSeconds(): number {
    return this.get('AUTH_CACHE_TTL_SECONDS');
  }
  /** Lifetime of a cached read of the request path (member counts, calendar context), in seconds (0: no cache). */
  get readCacheTtlSeconds(): number {
    return this.get('READ_CACHE_TTL_SECONDS');
  }
  /**
   * Where Redis is (REDIS_URL, or the master behind REDIS_SENTINELS): the base options of every Redis client the
   * process creates, which add only their own behaviour (offline queue, timeouts, key prefix).
   */
  get redis(): RedisTarget {
    const sentinels = this.get('REDIS_SENTINELS');
    const masterName = this.get('REDIS_SENTINEL_MASTER_NAME');
    return redisTarget(
      this.get('REDIS_URL'),
      sentinels && masterName
        ? { sentinels: parseSentinels(sentinels), masterName, password: this.get('REDIS_SENTINEL_PASSWORD') }
        : undefined,
    );
  }
  get queuePrefix(): string {
    return this.get('QUEUE_PREFIX');
  }
  get apiKeyPrefix(): string {
    return this.get('API_KEY_PREFIX');
  }
  get jsonBodyLimit(): string {
    return this.get('JSON_BODY_LIMIT');
  }
  get logLevel(): EnvironmentVariables['LOG_LEVEL'] {
    return this.get('LOG_LEVEL');
  }
  get docsEnabled(): boolean {
    return this.get('DOCS_ENABLED');
  }
  /** Master keys for service account key encryption, newest first. */
  get encryptionKeys(): readonly MasterKey[] {
    return this.masterKeys;
  }
  get lifecycle(): {
    provisionBatchSize: number;
    verifyRatePerSecond: { google: number; office365: number };
    workerConcurrency: number;
    lockDurationMs: number;
  } {
    return {
      provisionBatchSize: this.get('PROVISION_BATCH_SIZE'),
      verifyRatePerSecond: {
        google: this.get('VERIFY_RATE_GOOGLE_PER_SECOND'),
        office365: this.get('VERIFY_RATE_OFFICE365_PER_SECOND'),
      },
      workerConcurrency: this.get('WORKER_CONCURRENCY'),
      lockDurationMs: this.get('WORKER_LOCK_DURATION_MS'),
    };
  }
  /** Durability: the outbox dispatcher's poll, reconciliation interval, shutdown deadline. */
  get durability(): {
    outboxPollIntervalMs: number;
    reconcileIntervalSeconds: number;
    shutdownTimeoutMs: number;
  } {
    return {
      outboxPollIntervalMs: this.get('OUTBOX_POLL_INTERVAL_MS'),
      reconcileIntervalSeconds: this.get('RECONCILE_INTERVAL_SECONDS'),
      shutdownTimeoutMs: this.get('SHUTDOWN_TIMEOUT_MS'),
    };
  }
  /** Delegation health: periodic check, member re-check backoff, pending bound, throttling bound (all seconds). */
  get health(): {
    checkIntervalSeconds: number;
    memberRecheckMinSeconds: number;
    memberRecheckMaxSeconds: number;
    memberPendingTimeoutSeconds: number;
    rateLimitMaxWaitSeconds: number;
  } {
    return {
      checkIntervalSeconds: this.get('HEALTH_CHECK_INTERVAL_SECONDS'),
      memberRecheckMinSeconds: this.get('MEMBER_RECHECK_MIN_SECONDS'),
      memberRecheckMaxSeconds: this.get('MEMBER_RECHECK_MAX_SECONDS'),
      memberPendingTimeoutSeconds: this.get('MEMBER_PENDING_TIMEOUT_SECONDS'),
      rateLimitMaxWaitSeconds: this.get('JOB_RATE_LIMIT_MAX_WAIT_SECONDS'),
    };
  }
  get webhooks(): { allowPrivateUrls: boolean; timeoutMs: number } {
    return {
      allowPrivateUrls: this.get('WEBHOOK_ALLOW_PRIVATE_URLS'),
      timeoutMs: this.get('WEBHOOK_TIMEOUT_MS'),
    };
  }
  /** Logs, metrics and the queue dashboard (README "Operations"). */
  get observability(): ObservabilityConfig {
    return {
      logFormat: this.get('LOG_FORMAT'),
      metricsEnabled: this.get('METRICS_ENABLED'),
      metricsToken: this.get('METRICS_TOKEN'),
      metricsPort: this.get('METRICS_PORT'),
      queueDashboardEnabled: this.get('QUEUE_DASHBOARD_ENABLED'),
    };
  }
  /** Rate limits as Cal.com's API v2 (milliseconds for windows and blocks). */
  get rateLimit(): RateLimitConfig {
    return {
      enabled: this.get('RATE_LIMIT_ENABLED'),
      ttlMs: this.get('RATE_LIMIT_DEFAULT_TTL_MS'),
      blockDurationMs: this.get('RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS'),
      limits: {
        apiKey: this.get('RATE_LIMIT_DEFAULT_LIMIT_API_KEY'),
        oauthClient: this.get('RATE_LIMIT_DEFAULT_LIMIT_OAUTH_CLIENT'),
        unauthenticated: this.get('RATE_LIMIT_DEFAULT_LIMIT'),
      },
      routeLimits: {
        verify: this.get('RATE_LIMIT_VERIFY_LIMIT'),
        busyTimes: this.get('RATE_LIMIT_BUSY_TIMES_LIMIT'),
      },
    };
  }
  /** Express `trust proxy` value: boolean, hop count, or a list of trusted addresses/subnets. */
  get trustProxy(): boolean | number | string {
    const value = this.get('TRUST_PROXY').trim();
    if (value === 'true' || value === 'false') return value === 'true';
    return /^\d+$/.test(value) ? Number(value) : value;
  }
  /** Provider request limits enforced by the shared ProviderLimiter (see src/providers/provider-limiter.ts). */
  get providerLimits(): ProviderLimits {
    return {
      google: {
        requests: this.get('PROVIDER_GOOGLE_USER_REQUESTS'),
        windowSeconds: this.get('PROVIDER_GOOGLE_USER_WINDOW_SECONDS'),
      },
      graph: {
        concurrency: this.get('PROVIDER_GRAPH_MAILBOX_CONCURRENCY'),
        requests: this.get('PROVIDER_GRAPH_MAILBOX_REQUESTS'),
        windowSeconds: this.get('PROVIDER_GRAPH_MAILBOX_WINDOW_SECONDS'),
      },
      maxWaitMs: this.get('PROVIDER_LIMIT_MAX_WAIT_MS'),
    };
  }
  get providerEndpoints(): ProviderEndpoints {
    const origin = (value?: string): string | undefined => value?.replace(/\/$/, '');
    return {
      googleApiBaseUrl: origin(this.get('GOOGLE_API_BASE_URL')),
      microsoftLoginBaseUrl: origin(this.get('MICROSOFT_LOGIN_BASE_URL')),
      microsoftGraphBaseUrl: origin(this.get('MICROSOFT_GRAPH_BASE_URL')),
    };
  }
}
