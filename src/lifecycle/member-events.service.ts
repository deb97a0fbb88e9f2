import { Injectable } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service';
import { JOB } from '../jobs/jobs.types';

/**
 * What membership and user endpoints report, so delegated calendar access follows the member: joined / accepted →
 * connected, left / email moved out of the domain → delegated credential removed (preferences kept). Each call queues
 * one idempotent sync job that re-reads the current state, so the caller does not need to know which case applies.
 */
@Injectable()
export class MemberEventsService {
  constructor(private readonly jobs: JobsService) {}

  /** A membership was created, accepted, or its user changed email. `changedAt` = the row's updatedAt. */
  async memberChanged(organizationId: number, userId: number, changedAt: Date): Promise<void> {
    await this.jobs.dispatch(JOB.SYNC_MEMBER, { organizationId, userId, version: changedAt.getTime() });
  }

  /** A membership was deleted. */
  async memberRemoved(organizationId: number, userId: number): Promise<void> {
    await this.jobs.dispatch(JOB.SYNC_MEMBER, { organizationId, userId, version: Date.now() });
  }
}
