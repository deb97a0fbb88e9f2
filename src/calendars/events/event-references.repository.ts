import { Injectable } from '@nestjs/common';
import type { CalendarEventReference } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

export type NewEventReference = Omit<CalendarEventReference, 'createdAt' | 'updatedAt'>;

/** Events this service wrote for members (Cal.com's BookingReference), looked up by uid within the owner only. */
@Injectable()
export class EventReferencesRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: NewEventReference): Promise<CalendarEventReference> {
    return this.prisma.calendarEventReference.create({ data });
  }

  /** Someone else's uid is indistinguishable from an unknown one. */
  findOwned(userId: number, uid: string): Promise<CalendarEventReference | null> {
    return this.prisma.calendarEventReference.findFirst({ where: { uid, userId } });
  }

  setMeetingUrl(uid: string, meetingUrl: string | null): Promise<CalendarEventReference> {
    return this.prisma.calendarEventReference.update({ where: { uid }, data: { meetingUrl } });
  }

  async delete(uid: string): Promise<void> {
    await this.prisma.calendarEventReference.deleteMany({ where: { uid } });
  }
}
