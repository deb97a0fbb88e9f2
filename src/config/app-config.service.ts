import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type EnvironmentVariables, validateEnv } from './env.validation';
import { type MasterKey, parseMasterKeys } from './master-keys';
import type { ProviderLimits } from '../providers/provider-limiter';

export interface ProviderEndpoints {
  /** Replaces https://oauth2.googleapis.com and https://www.googleapis.com (local fakes only). */
  googleApiBaseUrl?: string;
  /** Serves `/{tenant}/oauth2/v2.0/token` in place of https://login.microsoftonline.com (local fakes only). */
  microsoftLoginBaseUrl?: string;
  /** Replaces https://graph.microsoft.com (local fakes only). */
  microsoftGraphBaseUrl?: string;
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
  get redisUrl(): string {
    return this.get('REDIS_URL');
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
  get webhooks(): { allowPrivateUrls: boolean; timeoutMs: number } {
    return {
      allowPrivateUrls: this.get('WEBHOOK_ALLOW_PRIVATE_URLS'),
      timeoutMs: this.get('WEBHOOK_TIMEOUT_MS'),
    };
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
