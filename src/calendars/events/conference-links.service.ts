import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../jobs/jobs.types';
import { ProviderError } from '../../providers/provider.errors';
import { DelegatedAccessService } from '../shared/delegated-access.service';
import { EventReferencesRepository } from './event-references.repository';

export type FillConferenceOutcome = 'ready' | 'failed' | 'skipped';

/** A link still being created: thrown so that BullMQ tries again with its backoff (1 s, 2 s, 4 s … ~4 min). */
export class ConferenceStillPending extends Error {
  override readonly name = 'ConferenceStillPending';
}

/**
 * The fill-conference-link job (lifecycle queue): reads an event whose Google Meet / Teams link was still being
 * created when the API answered, and stores the link once it exists. Every attempt reads the event once; while it
 * is still pending the attempt fails and BullMQ retries with backoff. The conference is marked FAILED — never left
 * pending — when the provider reports a failure, the event or the member's access is gone, or the last attempt
 * still finds no link. Idempotent: a reference that moved on (ready already, another event, deleted) is skipped.
 */
@Injectable()
export class ConferenceLinksService {
  private readonly logger = new Logger(ConferenceLinksService.name);

  constructor(
    private readonly references: EventReferencesRepository,
    private readonly access: DelegatedAccessService,
  ) {}

  async fill(payload: JobPayloads['fill-conference-link'], job?: Job): Promise<FillConferenceOutcome> {
    const { uid, externalEventId } = payload;
    const ref = await this.references.findWithOwner(uid);
    if (!ref || ref.externalEventId !== externalEventId || ref.conferenceStatus !== 'PENDING')
      return 'skipped';
    const lastAttempt = job ? job.attemptsMade + 1 >= (job.opts.attempts ?? 1) : true;
    const fail = async (error: string): Promise<FillConferenceOutcome> => {
      await this.references.settleConference(uid, externalEventId, { status: 'FAILED', error });
      this.logger.warn(`conference of event ${uid} failed: ${error}`);
      return 'failed';
    };

    const connection = ref.delegationCredentialId
      ? await this.access.connectionFor(ref.user, ref.delegationCredentialId)
      : null;
    if (!connection) {
      return fail(
        'The calendar connection of the event is not available any more (its delegation credential is disabled or ' +
          'no longer covers the member).',
      );
    }
    try {
      const event = await this.access.call(
        connection,
        (provider, credential) =>
          provider.getEvent(credential, ref.user.email, ref.externalCalendarId, externalEventId),
        'calendar',
      );
      const conference = event.conference;
      if (conference?.status === 'ready' && conference.url) {
        await this.references.settleConference(uid, externalEventId, {
          status: 'READY',
          meetingUrl: conference.url,
        });
        return 'ready';
      }
      if (conference?.status === 'failed')
        return fail(conference.reason ?? 'The provider could not create it.');
      if (!conference) return fail('The event no longer asks for an online meeting.');
      if (lastAttempt) return fail(`The link was still not created after ${job?.attemptsMade ?? 0} retries.`);
      throw new ConferenceStillPending(`The conference of event ${uid} is still being created`);
    } catch (error) {
      if (error instanceof ProviderError && error.permanent) return fail(error.message);
      if (lastAttempt && !(error instanceof ConferenceStillPending)) {
        return fail(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }
}
