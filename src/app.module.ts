import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { CryptoModule } from './crypto/crypto.module';
import { DelegationCredentialsModule } from './delegation-credentials/delegation-credentials.module';
import { HealthModule } from './health/health.module';
import { QueueModule } from './jobs/queue.module';
import { MemberEventsModule } from './lifecycle/member-events.module';
import { MembershipsModule } from './memberships/memberships.module';
import { OrgUsersModule } from './org-users/org-users.module';
import { PrismaModule } from './prisma/prisma.module';
import { ProvidersModule } from './providers/providers.module';
import { RedisModule } from './redis/redis.module';

@Module({
  imports: [
    AppConfigModule,
    PrismaModule,
    RedisModule,
    CryptoModule,
    QueueModule,
    MemberEventsModule,
    ProvidersModule,
    AuthModule,
    HealthModule,
    DelegationCredentialsModule,
    MembershipsModule,
    OrgUsersModule,
  ],
})
export class AppModule {}
