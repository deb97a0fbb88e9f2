import { Injectable } from '@nestjs/common';
import type { DestinationCalendar, SelectedCalendar } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

export interface CalendarRef {
  integration: string;
  externalId: string;
  credentialId: number | null;
  delegationCredentialId: string | null;
}

/**
 * A member's calendar preferences: which calendars are checked for conflicts (SelectedCalendar) and where events
 * are written (DestinationCalendar). They outlive the credentials they point at (foreign keys set null).
 */
@Injectable()
export class CalendarPreferencesRepository {
  constructor(private readonly prisma: PrismaService) {}

  listSelected(userId: number): Promise<SelectedCalendar[]> {
    return this.prisma.selectedCalendar.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  }

  /** One row per (user, integration, externalId): selecting again re-points it at the given credential. */
  upsertSelected(userId: number, ref: CalendarRef): Promise<SelectedCalendar> {
    const link = { credentialId: ref.credentialId, delegationCredentialId: ref.delegationCredentialId };
    return this.prisma.selectedCalendar.upsert({
      where: {
        userId_integration_externalId: { userId, integration: ref.integration, externalId: ref.externalId },
      },
      create: { userId, integration: ref.integration, externalId: ref.externalId, ...link },
      update: link,
    });
  }

  /** Deletes the row and returns it, or null when there was none. */
  async deleteSelected(
    userId: number,
    integration: string,
    externalId: string,
  ): Promise<SelectedCalendar | null> {
    const where = { userId, integration, externalId };
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.selectedCalendar.findFirst({ where });
      if (row) await tx.selectedCalendar.delete({ where: { id: row.id } });
      return row;
    });
  }

  findDestination(userId: number): Promise<DestinationCalendar | null> {
    return this.prisma.destinationCalendar.findUnique({ where: { userId } });
  }

  /** Sets the destination only if the user has none (a concurrent request or an explicit choice wins). */
  async ensureDestination(
    userId: number,
    ref: CalendarRef & { primaryEmail: string | null },
  ): Promise<DestinationCalendar | null> {
    await this.prisma.destinationCalendar.createMany({ data: [{ userId, ...ref }], skipDuplicates: true });
    return this.findDestination(userId);
  }

  setDestination(
    userId: number,
    ref: CalendarRef & { primaryEmail: string | null },
  ): Promise<DestinationCalendar> {
    return this.prisma.destinationCalendar.upsert({
      where: { userId },
      create: { userId, ...ref },
      update: ref,
    });
  }
}
