import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { CalendarsModule } from './calendars/calendars.module';
import { AppConfigModule } from './config/config.module';
import { CryptoModule } from './crypto/crypto.module';
import { DelegationCredentialsModule } from './delegation-credentials/delegation-credentials.module';
import { HealthModule } from './health/health.module';
import { QueueModule } from './jobs/queue.module';
import { MemberEventsModule } from './lifecycle/member-events.module';
import { MemberLifecycleCoreModule } from './lifecycle/member-lifecycle-core.module';
import { MembershipsModule } from './memberships/memberships.module';
import { LoggingModule } from './observability/logging/logging.module';
import { MetricsModule } from './observability/metrics/metrics.module';
import { QueuesDashboardModule } from './observability/queues-dashboard/queues-dashboard.module';
import { OrgUsersModule } from './org-users/org-users.module';
import { PrismaModule } from './prisma/prisma.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ProvidersModule } from './providers/providers.module';
import { RedisModule } from './redis/redis.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    MetricsModule,
    QueuesDashboardModule,
    RateLimitModule,
    PrismaModule,
    RedisModule,
    CryptoModule,
    QueueModule,
    MemberEventsModule,
    MemberLifecycleCoreModule,
    ProvidersModule,
    AuthModule,
    HealthModule,
    DelegationCredentialsModule,
    MembershipsModule,
    OrgUsersModule,
    WebhooksModule,
    CalendarsModule,
  ],
})
export class AppModule {}
