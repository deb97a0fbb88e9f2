import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { MemberEventsService } from '../lifecycle/member-events.service';

/**
 * Tells the lifecycle queue that a member changed, so their delegated calendar access follows (one `sync-member`
 * job per call). Always called after the database write has committed: the job re-reads the current state, so it
 * must never run before the change is visible.
 *
 * When queueing fails (Redis unreachable) the committed change is not rolled back, and the failure is not swallowed:
 * we log an error naming the organization, user and change (so an operator can re-sync that member) and answer 503
 * saying the change was saved but delegated access did not follow. Answering success would hide, for example, a
 * removed member who keeps delegated access; a bare 500 would hide that the change itself was saved.
 */
@Injectable()
export class MemberSyncService {
  private readonly logger = new Logger(MemberSyncService.name);

  constructor(private readonly events: MemberEventsService) {}

  /** `change` describes what was saved, e.g. "Membership 7 was created"; `changedAt` is the row's updatedAt. */
  changed(organizationId: number, userId: number, changedAt: Date, change: string): Promise<void> {
    return this.report(organizationId, userId, change, () =>
      this.events.memberChanged(organizationId, userId, changedAt),
    );
  }

  removed(organizationId: number, userId: number, change: string): Promise<void> {
    return this.report(organizationId, userId, change, () =>
      this.events.memberRemoved(organizationId, userId),
    );
  }

  private async report(
    organizationId: number,
    userId: number,
    change: string,
    dispatch: () => Promise<void>,
  ): Promise<void> {
    try {
      await dispatch();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.logger.error(
        `${change}, but the sync-member job was not queued (organizationId=${organizationId}, userId=${userId}): ${err.message}`,
        err.stack,
      );
      throw new ServiceUnavailableException(
        `${change}, but the member's delegated calendar access could not be updated (the job queue is unavailable). ` +
          'The change was kept and the failure was logged for an operator.',
      );
    }
  }
}
