import type { Job, JobType, Queue } from 'bullmq';
import { JOB, LIFECYCLE_QUEUE } from '../../src/jobs/jobs.types';
import type { TestApp } from './app';

const QUEUED_OR_FINISHED: JobType[] = ['waiting', 'delayed', 'active', 'completed', 'failed'];

/** The jobs of `queue` in `states` whose data has `field` equal to `value`. */
export async function jobsWith(
  queue: Queue,
  field: string,
  value: unknown,
  states: JobType[] = QUEUED_OR_FINISHED,
): Promise<Job[]> {
  return (await queue.getJobs(states)).filter((j) => (j.data as Record<string, unknown>)[field] === value);
}

/** sync-member jobs queued for an organization (no worker runs in the API test app, so they stay queued). */
export async function syncMemberJobs(t: TestApp, orgId: number) {
  await t.intentsDispatched();
  const jobs = await t
    .queue(LIFECYCLE_QUEUE)
    .getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
  return jobs
    .filter(
      (j) => j.name === JOB.SYNC_MEMBER && (j.data as { organizationId: number }).organizationId === orgId,
    )
    .map((j) => ({
      id: j.id,
      data: j.data as { organizationId: number; userId: number; version: number },
    }));
}

/** The sync-member job a membership change of `userId` in `orgId` at `at` queues. */
export const changedJob = (orgId: number, userId: number, at: Date) => ({
  id: `member_${orgId}_${userId}_${at.getTime()}`,
  data: { organizationId: orgId, userId, version: at.getTime() },
});
