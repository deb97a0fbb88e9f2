import { Module } from '@nestjs/common';
import { WorkspacePlatformsModule } from '../workspace-platforms/workspace-platforms.module';
import { OrganizationsDelegationCredentialController } from './delegation-credentials.controller';
import { DelegationCredentialsRepository } from './delegation-credentials.repository';
import { DelegationCredentialsService } from './delegation-credentials.service';

@Module({
  imports: [WorkspacePlatformsModule],
  controllers: [OrganizationsDelegationCredentialController],
  providers: [DelegationCredentialsService, DelegationCredentialsRepository],
  exports: [DelegationCredentialsService, DelegationCredentialsRepository],
})
export class DelegationCredentialsModule {}
