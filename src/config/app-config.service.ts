import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from './env.validation';
import { type MasterKey, parseMasterKeys } from './master-keys';

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
  private readonly masterKeys: MasterKey[];

  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {
    this.masterKeys = parseMasterKeys(
      this.config.get('SERVICE_ACCOUNT_ENCRYPTION_KEY', { infer: true }),
      this.config.get('SERVICE_ACCOUNT_ENCRYPTION_KEYS', { infer: true }),
    );
  }

  private get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.config.get(key, { infer: true });
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
  get providerEndpoints(): ProviderEndpoints {
    const origin = (value?: string): string | undefined => value?.replace(/\/$/, '');
    return {
      googleApiBaseUrl: origin(this.get('GOOGLE_API_BASE_URL')),
      microsoftLoginBaseUrl: origin(this.get('MICROSOFT_LOGIN_BASE_URL')),
      microsoftGraphBaseUrl: origin(this.get('MICROSOFT_GRAPH_BASE_URL')),
    };
  }
}
