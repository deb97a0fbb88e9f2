import { Global, Module } from '@nestjs/common';
import { DelegationErrorEvents } from './delegation-error-events.service';
import { MemberAccessFailureService } from './member-access-failure.service';
import { MemberCredentialsRepository } from './member-credentials.repository';

/** Member credential state shared by the API (live calendar calls, progress) and the worker (jobs). */
@Global()
@Module({
  providers: [MemberCredentialsRepository, DelegationErrorEvents, MemberAccessFailureService],
  exports: [MemberCredentialsRepository, DelegationErrorEvents, MemberAccessFailureService],
})
export class MemberLifecycleCoreModule {}
