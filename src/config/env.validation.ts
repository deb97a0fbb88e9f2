import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { parseMasterKeys } from './master-keys';
import { parseSentinels, redisUrlProblem } from '../redis/redis-target';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const SENTINEL = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([1-9]\d{0,4})`;
const SENTINEL_LIST = new RegExp(`^\\s*${SENTINEL}\\s*(,\\s*${SENTINEL}\\s*)*$`);

/**
 * Every environment variable the service reads, validated once at boot. Nothing else reads process.env.
 * Documented in .env.example.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgresql:// connection URL' })
  DATABASE_URL!: string;

  /** Connections in the process's PostgreSQL pool (Prisma and the prepared hot queries share it). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 10;

  /**
   * Seconds a resolved API principal (key or OAuth client → user, membership, organization flags) stays cached in
   * the API process. Every change is invalidated at once through PostgreSQL notifications; the TTL only bounds an
   * entry's life. 0 turns the cache off (every request reads the database).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  AUTH_CACHE_TTL_SECONDS = 60;

  /**
   * Seconds a cached read of the request path (a delegation credential's member counts, a member's calendar
   * context) stays in the API process. Every change is invalidated at once through PostgreSQL notifications; the
   * TTL only bounds an entry's life. 0 turns these caches off (every request reads the database).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  READ_CACHE_TTL_SECONDS = 60;

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * Redis Sentinel (README "Production topology"): comma-separated `host:port` of the sentinels. When set, every
   * Redis client asks them for the current master of REDIS_SENTINEL_MASTER_NAME (and again after a failover);
   * REDIS_URL's host is then ignored, its user, password, database and TLS still apply to the master.
   */
  @IsOptional()
  @Matches(SENTINEL_LIST, {
    message: 'must be a comma-separated list of host:port (IPv6 in brackets: [::1]:26379)',
  })
  REDIS_SENTINELS?: string;

  /** Master group name the sentinels monitor (`sentinel monitor <name> …`); required with REDIS_SENTINELS. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'must be 1-128 letters, digits, ., _ or -' })
  REDIS_SENTINEL_MASTER_NAME?: string;

  /** Password of the sentinels themselves (`requirepass` of the sentinel), when they require one. */
  @IsOptional()
  @IsNotEmpty()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** Prefix of every BullMQ key in Redis (lets several deployments or test runs share one Redis). */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ or -' })
  QUEUE_PREFIX = 'dc';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** One master key: 32 bytes, base64-encoded. Taken as version 1 unless SERVICE_ACCOUNT_ENCRYPTION_KEYS is set. */
  @IsOptional()
  @IsString()
  SERVICE_ACCOUNT_ENCRYPTION_KEY?: string;

  /** Several master keys as `version:base64key` pairs, comma separated; the highest version encrypts new writes. */
  @IsOptional()
  @IsString()
  SERVICE_ACCOUNT_ENCRYPTION_KEYS?: string;

  @Matches(/^[A-Za-z0-9_]{1,32}$/, { message: 'must be 1-32 letters, digits or _' })
  API_KEY_PREFIX = 'cal_';

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'must be a size such as 100kb or 1mb' })
  JSON_BODY_LIMIT = '1mb';

  /**
   * Members provisioned (or cleaned up) per database batch: one transaction of a few set-based statements. Measured
   * on 2 cores (bench:provision): 1,000,000 members took 186 s at 2,000, 110 s at 5,000, 83–94 s at 10,000, the
   * per-batch fixed costs (progress saved, job progress, statement-level notifications) paid less often; but 10,000
   * members took 1.45× a raw INSERT … SELECT at 2,000, 1.77× at 5,000 and 2.1× at 10,000 (one big transaction, no
   * overlap). 5,000 meets both targets; worker RSS is the same (~226 MB) at every size.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50_000)
  PROVISION_BATCH_SIZE = 5_000;

  /** Token bucket of per-member verification calls, per provider (calls per second, shared by all workers). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  VERIFY_RATE_GOOGLE_PER_SECOND = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  VERIFY_RATE_OFFICE365_PER_SECOND = 10;

  /**
   * Provider limits shared by the API and every worker through Redis (ProviderLimiter). Google: requests per
   * impersonated user per window (Calendar API quota: 600 per minute per user, sliding window).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  PROVIDER_GOOGLE_USER_REQUESTS = 600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PROVIDER_GOOGLE_USER_WINDOW_SECONDS = 60;

  /** Graph: concurrent requests per app and mailbox (Exchange Online allows 4). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(4)
  PROVIDER_GRAPH_MAILBOX_CONCURRENCY = 4;

  /** Graph: requests per app and mailbox per window (Exchange Online: 10,000 per 10 minutes). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  PROVIDER_GRAPH_MAILBOX_REQUESTS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PROVIDER_GRAPH_MAILBOX_WINDOW_SECONDS = 600;

  /** Longest a provider call waits for its turn under those limits before failing RATE_LIMITED. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  PROVIDER_LIMIT_MAX_WAIT_MS = 10_000;

  /** Lifecycle jobs one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 4;

  /** How long a worker holds a job before another may take it over (also how soon a killed worker's job resumes). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  WORKER_LOCK_DURATION_MS = 30_000;

  // --- Durability (see README "Durability") ---

  /**
   * Safety-net poll of the job intent outbox, in milliseconds: intents are dispatched to BullMQ right after their
   * transaction commits (PostgreSQL LISTEN/NOTIFY); the poll catches anything a lost notification or a Redis outage
   * left behind.
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  /**
   * Reconciliation (worker): every this many seconds (and once at worker start) desired and actual member state
   * are compared for every credential and repaired through the ordinary jobs; 0 turns the periodic run off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(604_800)
  RECONCILE_INTERVAL_SECONDS = 600;

  /**
   * Graceful shutdown deadline in milliseconds (SIGTERM/SIGINT): in-flight requests and jobs get this long to
   * finish, then the process exits anyway (unfinished jobs are taken over by another worker after their lock).
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 25_000;

  // --- Delegation health (see README "Delegation health") ---

  /** Periodic health check of every enabled credential, in seconds; 0 turns the periodic check off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  HEALTH_CHECK_INTERVAL_SECONDS = 900;

  /** First re-check of a member failing with an error of their own, in seconds; doubles per failure. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  MEMBER_RECHECK_MIN_SECONDS = 300;

  /** Cap of the member re-check backoff, in seconds (at least MEMBER_RECHECK_MIN_SECONDS). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604_800)
  MEMBER_RECHECK_MAX_SECONDS = 21_600;

  /** A member still pending verification this long (seconds) is queued again by the periodic check. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604_800)
  MEMBER_PENDING_TIMEOUT_SECONDS = 3600;

  /** How long (seconds) one job may keep waiting out provider throttling (Retry-After) before it gives up. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604_800)
  JOB_RATE_LIMIT_MAX_WAIT_SECONDS = 21_600;

  /** Org webhooks: allow subscriber URLs on private/loopback addresses (off: SSRF protection). */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS = false;

  /** Org webhooks: timeout of one delivery attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 5000;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @Transform(toBoolean)
  @IsBoolean()
  DOCS_ENABLED = true;

  // --- Operations: logs, metrics, queue dashboard, rate limits (README "Operations") ---

  /** `json` (one JSON object per line) or `pretty` (human-readable, pino-pretty). Unset: pretty on a TTY, else json. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Serve Prometheus metrics: `/metrics` on the API, and on the worker's METRICS_PORT. */
  @Transform(toBoolean)
  @IsBoolean()
  METRICS_ENABLED = true;

  /** When set, /metrics requires `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'must be at least 16 characters without spaces' })
  METRICS_TOKEN?: string;

  /** Port of the worker's /metrics server; unset: the worker serves no metrics. 0 picks a free port. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /** bull-board at /admin/queues (system admins only); false answers 404 there. */
  @Transform(toBoolean)
  @IsBoolean()
  QUEUE_DASHBOARD_ENABLED = true;

  /** Rate limits as Cal.com's API v2 (shared by all API replicas through Redis); false turns them off. */
  @Transform(toBoolean)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /** Window of every rate limit (Cal.com's variable names and defaults). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_DEFAULT_TTL_MS = 60_000;

  /** Requests per window per API key. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT_LIMIT_API_KEY = 120;

  /** Requests per window per platform OAuth client (x-cal-client-id). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT_LIMIT_OAUTH_CLIENT = 500;

  /** Requests per window per client IP, for requests without credentials. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT_LIMIT = 120;

  /** How long a caller over a limit is refused (429). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS = 60_000;

  /** Per-route limits (per caller and window, on top of the default): POST …/delegation-credentials/{id}/verify. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_VERIFY_LIMIT = 10;

  /** GET /v2/calendars/busy-times. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_BUSY_TIMES_LIMIT = 60;

  /**
   * Express `trust proxy`: which proxies' X-Forwarded-For decides the client IP (the unauthenticated rate-limit
   * key, logs). `false` (default: the socket address), `true`, a hop count, or addresses/subnets (`loopback, 10.0.0.0/8`).
   */
  @Matches(/^(true|false|\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message: 'must be true, false, a hop count or a comma-separated list of addresses/subnets',
  })
  TRUST_PROXY = 'false';

  /**
   * Local fakes only. Google: origin that replaces https://oauth2.googleapis.com and https://www.googleapis.com.
   * Microsoft: origin that serves the Entra token endpoint, and the Graph base URL. Unset = the real services.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'must be an origin such as http://127.0.0.1:4010' })
  GOOGLE_API_BASE_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'must be an origin such as http://127.0.0.1:4010' })
  MICROSOFT_LOGIN_BASE_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'must be an origin such as http://127.0.0.1:4010' })
  MICROSOFT_GRAPH_BASE_URL?: string;

  @IsOptional()
  @IsNotEmpty()
  @IsString()
  SANDBOX_PORT?: string;
}

/** A missing or malformed variable: `problems` has one `NAME: what is wrong` line each (never a value). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Returns the typed, defaulted variables or throws a ConfigurationError naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: false });
  const problems = validateSync(env, { skipMissingProperties: false, stopAtFirstError: true }).map(
    (error) => {
      const messages = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
      return `${error.property}: ${messages.join('; ')}`;
    },
  );
  if (!env.SERVICE_ACCOUNT_ENCRYPTION_KEY && !env.SERVICE_ACCOUNT_ENCRYPTION_KEYS) {
    problems.push(
      'SERVICE_ACCOUNT_ENCRYPTION_KEY: is required (32 random bytes, base64: `openssl rand -base64 32`), ' +
        'or set SERVICE_ACCOUNT_ENCRYPTION_KEYS',
    );
  } else {
    try {
      parseMasterKeys(env.SERVICE_ACCOUNT_ENCRYPTION_KEY, env.SERVICE_ACCOUNT_ENCRYPTION_KEYS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  // The decorator only checks the scheme; the rest is checked here, the message never repeating the URL.
  const redisProblem = typeof env.REDIS_URL === 'string' && redisUrlProblem(env.REDIS_URL);
  if (redisProblem && !problems.some((p) => p.startsWith('REDIS_URL:')))
    problems.push(`REDIS_URL: ${redisProblem}`);
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_MASTER_NAME) {
    problems.push(
      'REDIS_SENTINEL_MASTER_NAME: is required with REDIS_SENTINELS (the monitored master group name)',
    );
  }
  if (!env.REDIS_SENTINELS && (env.REDIS_SENTINEL_MASTER_NAME || env.REDIS_SENTINEL_PASSWORD)) {
    problems.push('REDIS_SENTINELS: is required with REDIS_SENTINEL_MASTER_NAME / REDIS_SENTINEL_PASSWORD');
  }
  if (env.REDIS_SENTINELS && parseSentinels(env.REDIS_SENTINELS).some(({ port }) => port > 65535)) {
    problems.push('REDIS_SENTINELS: every port must be 1-65535');
  }
  if (env.MEMBER_RECHECK_MAX_SECONDS < env.MEMBER_RECHECK_MIN_SECONDS) {
    problems.push('MEMBER_RECHECK_MAX_SECONDS: must be at least MEMBER_RECHECK_MIN_SECONDS');
  }
  if (problems.length) throw new ConfigurationError(problems);
  return env;
}
