import { Global, Module } from '@nestjs/common';
import { ApiKeyUsageRecorder } from './api-key-usage.service';
import { AuthRepository } from './auth.repository';
import { ApiAuthGuard } from './guards/api-auth.guard';
import { IsAdminApiEnabledGuard } from './guards/is-admin-api-enabled.guard';
import { IsOrgGuard } from './guards/is-org.guard';
import { PbacGuard } from './guards/pbac.guard';
import { PlatformPlanGuard } from './guards/platform-plan.guard';
import { RolesGuard } from './guards/roles.guard';
import { PrincipalCache } from './principal-cache.service';

const guards = [ApiAuthGuard, IsOrgGuard, PbacGuard, RolesGuard, PlatformPlanGuard, IsAdminApiEnabledGuard];

@Global()
@Module({
  providers: [AuthRepository, PrincipalCache, ApiKeyUsageRecorder, ...guards],
  exports: [AuthRepository, PrincipalCache, ApiKeyUsageRecorder, ...guards],
})
export class AuthModule {}
