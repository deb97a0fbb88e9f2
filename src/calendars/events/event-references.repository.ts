import { Injectable } from '@nestjs/common';
import type { CalendarEventReference, ConferenceStatus } from '../../generated/prisma/client';
import { recordIntent } from '../../jobs/job-intents';
import { JOB } from '../../jobs/jobs.types';
import { PrismaService } from '../../prisma/prisma.service';

export type NewEventReference = Omit<CalendarEventReference, 'createdAt' | 'updatedAt'>;

/** The event a reference points at, and where its conference stands. */
export type EventState = Pick<
  CalendarEventReference,
  'externalEventId' | 'meetingUrl' | 'conferenceStatus' | 'conferenceError'
>;

/** Wait before the first fill-conference-link attempt: Meet and Teams links usually exist within seconds. */
const FILL_CONFERENCE_DELAY_MS = 1_000;

/**
 * Events this service wrote for members (Cal.com's BookingReference), looked up by uid within the owner only. A
 * reference whose conference is PENDING is stored together with its fill-conference-link job (transactional outbox:
 * both commit or neither does), so a pending link is always filled in or marked failed later, never forgotten.
 */
@Injectable()
export class EventReferencesRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: NewEventReference): Promise<CalendarEventReference> {
    return this.prisma.$transaction(async (tx) => {
      const ref = await tx.calendarEventReference.create({ data });
      if (ref.conferenceStatus === 'PENDING') {
        await recordIntent(
          tx,
          JOB.FILL_CONFERENCE_LINK,
          { uid: ref.uid, externalEventId: ref.externalEventId },
          { delayMs: FILL_CONFERENCE_DELAY_MS },
        );
      }
      return ref;
    });
  }

  /** Someone else's uid is indistinguishable from an unknown one. */
  findOwned(userId: number, uid: string): Promise<CalendarEventReference | null> {
    return this.prisma.calendarEventReference.findFirst({ where: { uid, userId } });
  }

  /** A reference with its owner's email (for the fill-conference-link job). */
  findWithOwner(uid: string) {
    return this.prisma.calendarEventReference.findUnique({
      where: { uid },
      include: { user: { select: { id: true, email: true } } },
    });
  }

  /**
   * The event as it now stands (after a PATCH, or the event re-created under the same uid); a conference that became
   * PENDING gets its fill-conference-link job in the same transaction.
   */
  update(uid: string, state: EventState): Promise<CalendarEventReference> {
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.calendarEventReference.findUniqueOrThrow({ where: { uid } });
      const ref = await tx.calendarEventReference.update({ where: { uid }, data: state });
      const newlyPending =
        ref.conferenceStatus === 'PENDING' &&
        (before.conferenceStatus !== 'PENDING' || before.externalEventId !== ref.externalEventId);
      if (newlyPending) {
        await recordIntent(
          tx,
          JOB.FILL_CONFERENCE_LINK,
          { uid, externalEventId: ref.externalEventId },
          { delayMs: FILL_CONFERENCE_DELAY_MS },
        );
      }
      return ref;
    });
  }

  /**
   * Settles a PENDING conference of the event `externalEventId` (READY with its link, or FAILED with why). Changes
   * nothing when the reference moved on meanwhile (another event, no longer pending): answers whether it applied.
   */
  async settleConference(
    uid: string,
    externalEventId: string,
    outcome: { status: Exclude<ConferenceStatus, 'PENDING'>; meetingUrl?: string; error?: string },
  ): Promise<boolean> {
    const { count } = await this.prisma.calendarEventReference.updateMany({
      where: { uid, externalEventId, conferenceStatus: 'PENDING' },
      data: {
        conferenceStatus: outcome.status,
        ...(outcome.meetingUrl ? { meetingUrl: outcome.meetingUrl } : {}),
        conferenceError: outcome.error ?? null,
      },
    });
    return count > 0;
  }

  async delete(uid: string): Promise<void> {
    await this.prisma.calendarEventReference.deleteMany({ where: { uid } });
  }
}
