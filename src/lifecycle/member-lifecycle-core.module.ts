import { Global, Module } from '@nestjs/common';
import { CredentialHealthRepository } from './credential-health.repository';
import { CredentialHealthService } from './credential-health.service';
import { DelegationErrorEvents } from './delegation-error-events.service';
import { MemberAccessFailureService } from './member-access-failure.service';
import { MemberCredentialsRepository } from './member-credentials.repository';

const shared = [
  MemberCredentialsRepository,
  DelegationErrorEvents,
  MemberAccessFailureService,
  CredentialHealthRepository,
  CredentialHealthService,
];

/**
 * Member credential state and credential health shared by the API (live calendar calls, verify, progress) and the
 * worker (jobs).
 */
@Global()
@Module({ providers: shared, exports: shared })
export class MemberLifecycleCoreModule {}
