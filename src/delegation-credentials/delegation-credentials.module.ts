import { Module } from '@nestjs/common';
import { MemberCredentialsRepository } from '../lifecycle/member-credentials.repository';
import { WorkspacePlatformsModule } from '../workspace-platforms/workspace-platforms.module';
import { OrganizationsDelegationCredentialController } from './delegation-credentials.controller';
import { DelegationCredentialsRepository } from './delegation-credentials.repository';
import { DelegationCredentialsService } from './delegation-credentials.service';

@Module({
  imports: [WorkspacePlatformsModule],
  controllers: [OrganizationsDelegationCredentialController],
  providers: [DelegationCredentialsService, DelegationCredentialsRepository, MemberCredentialsRepository],
  exports: [DelegationCredentialsService, DelegationCredentialsRepository],
})
export class DelegationCredentialsModule {}
