import { Module } from '@nestjs/common';
import { ConferenceLinksModule } from '../calendars/events/conference-links.module';
import { AppConfigModule } from '../config/config.module';
import { CryptoModule } from '../crypto/crypto.module';
import { DelegationCredentialsRepository } from '../delegation-credentials/delegation-credentials.repository';
import { QueueModule } from '../jobs/queue.module';
import { LoggingModule } from '../observability/logging/logging.module';
import { WorkerMetricsModule } from '../observability/metrics/worker-metrics.module';
import { PrismaModule } from '../prisma/prisma.module';
import { ProvidersModule } from '../providers/providers.module';
import { RedisModule } from '../redis/redis.module';
import { CredentialHealthCheckService } from './credential-health-check.service';
import { CredentialLifecycleService } from './credential-lifecycle.service';
import { LifecycleWorker } from './lifecycle.worker';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';
import { MemberLifecycleCoreModule } from './member-lifecycle-core.module';
import { MemberVerificationService } from './member-verification.service';
import { VerificationWorkers } from './verification.workers';
import { WebhookDeliveryModule } from '../webhooks/webhook-delivery.module';

/** The worker process: lifecycle, member verification and webhook delivery jobs; no HTTP. */
@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    WorkerMetricsModule,
    PrismaModule,
    RedisModule,
    CryptoModule,
    QueueModule,
    ProvidersModule,
    MemberLifecycleCoreModule,
    WebhookDeliveryModule,
    ConferenceLinksModule,
  ],
  providers: [
    DelegationCredentialsRepository,
    CredentialLifecycleService,
    CredentialHealthCheckService,
    MemberVerificationService,
    ReconciliationRepository,
    ReconciliationService,
    LifecycleWorker,
    VerificationWorkers,
  ],
})
export class WorkerModule {}
