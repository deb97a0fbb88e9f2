import { Injectable } from '@nestjs/common';
import { type IntentWriter, recordIntent } from '../jobs/job-intents';
import { JOB } from '../jobs/jobs.types';

/**
 * What membership and user changes record, so delegated calendar access follows the member: joined / accepted →
 * connected, left / email moved out of the domain → delegated credential removed (preferences kept). Each call
 * records one idempotent sync-member job that re-reads the current state, so the caller does not need to know which
 * case applies. Always inside the transaction of the change (`tx`): the job is a job intent committed with it, so
 * it runs if and only if the change commits, whether or not Redis is reachable at that moment.
 */
@Injectable()
export class MemberEventsService {
  /** A membership was created, accepted, or its user changed email. `changedAt` = the row's updatedAt. */
  async memberChanged(
    tx: IntentWriter,
    organizationId: number,
    userId: number,
    changedAt: Date,
  ): Promise<void> {
    await recordIntent(tx, JOB.SYNC_MEMBER, { organizationId, userId, version: changedAt.getTime() });
  }

  /** A membership was deleted. */
  async memberRemoved(tx: IntentWriter, organizationId: number, userId: number): Promise<void> {
    await recordIntent(tx, JOB.SYNC_MEMBER, { organizationId, userId, version: Date.now() });
  }
}
