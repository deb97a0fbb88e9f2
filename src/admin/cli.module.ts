import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module';
import { CryptoModule } from '../crypto/crypto.module';
import { DelegationCredentialsRepository } from '../delegation-credentials/delegation-credentials.repository';
import { PrismaModule } from '../prisma/prisma.module';
import { WorkspacePlatformsModule } from '../workspace-platforms/workspace-platforms.module';
import { CalendarCredentialsRepository } from '../calendars/shared/calendar-credentials.repository';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import { AdminBootstrapService } from './admin-bootstrap.service';

/** What the operator CLI needs: database, encryption, no HTTP, no queues. */
@Module({
  imports: [AppConfigModule, PrismaModule, CryptoModule, WorkspacePlatformsModule],
  providers: [
    AdminBootstrapService,
    DelegationCredentialsRepository,
    WebhooksRepository,
    CalendarCredentialsRepository,
  ],
})
export class CliModule {}
