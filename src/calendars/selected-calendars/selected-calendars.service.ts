import { Injectable, NotFoundException } from '@nestjs/common';
import { DelegationCredentialsRepository } from '../../delegation-credentials/delegation-credentials.repository';
import type { SelectedCalendar } from '../../generated/prisma/client';
import { MemberCredentialsRepository } from '../../lifecycle/member-credentials.repository';
import { CalendarCredentialsRepository } from '../shared/calendar-credentials.repository';
import { CalendarPreferencesRepository } from '../shared/calendar-preferences.repository';
import type { CalendarUser } from '../shared/delegated-access.service';
import type { SelectedCalendarOutputDto } from './dto/selected-calendar.output';
import type {
  SelectedCalendarsInputDto,
  SelectedCalendarsQueryParamsInputDto,
} from './dto/selected-calendars.input';

const credentialsNotFound = () => new NotFoundException('Calendar credentials not found');

function toOutput(row: SelectedCalendar): SelectedCalendarOutputDto {
  return {
    userId: row.userId,
    integration: row.integration,
    externalId: row.externalId,
    credentialId: row.credentialId,
  };
}

/**
 * Calendars checked for conflicts, with Cal.com's ownership rules and messages. A delegated calendar may be named by
 * its delegation credential (the caller must be a member of its organization); anything else by a credential of
 * the caller. Selections are preferences: they stay when the delegation credential is disabled.
 */
@Injectable()
export class SelectedCalendarsService {
  constructor(
    private readonly preferences: CalendarPreferencesRepository,
    private readonly credentials: CalendarCredentialsRepository,
    private readonly delegation: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
  ) {}

  async add(user: CalendarUser, body: SelectedCalendarsInputDto): Promise<SelectedCalendarOutputDto> {
    const link = await this.linkFor(user, body.credentialId, body.delegationCredentialId);
    const row = await this.preferences.upsertSelected(user.id, {
      integration: body.integration,
      externalId: body.externalId,
      ...link,
    });
    return toOutput(row);
  }

  async remove(
    user: CalendarUser,
    query: SelectedCalendarsQueryParamsInputDto,
  ): Promise<SelectedCalendarOutputDto> {
    await this.linkFor(user, Number(query.credentialId), query.delegationCredentialId);
    const row = await this.preferences.deleteSelected(user.id, query.integration, query.externalId);
    if (!row) throw new NotFoundException('Selected calendar not found');
    return toOutput(row);
  }

  private async linkFor(
    user: CalendarUser,
    credentialId: number,
    delegationCredentialId: string | undefined,
  ): Promise<{ credentialId: number | null; delegationCredentialId: string | null }> {
    if (delegationCredentialId === undefined) {
      const row = await this.credentials.findOwned(user.id, credentialId);
      if (!row) throw credentialsNotFound();
      return { credentialId: row.id, delegationCredentialId: row.delegationCredentialId };
    }
    const record = await this.delegation.findById(delegationCredentialId);
    if (!record)
      throw new NotFoundException('DelegationCredential with provided delegationCredentialId not found');
    if (!(await this.credentials.isAcceptedMember(user.id, record.organizationId))) {
      throw new NotFoundException(
        `Membership for user with id ${user.id} within organization id ${record.organizationId} not found`,
      );
    }
    const member = await this.members.findMemberCredential(record.id, user.id);
    // Cal.com's in-memory delegated credentials carry id -1: only a positive id must be the member's own.
    if (credentialId > 0 && credentialId !== member?.id) throw credentialsNotFound();
    return { credentialId: member?.id ?? null, delegationCredentialId: record.id };
  }
}
