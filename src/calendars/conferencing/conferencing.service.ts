import { Injectable } from '@nestjs/common';
import { CONFERENCING_APP } from '../../lifecycle/platform-apps';
import { CalendarCredentialsRepository } from '../shared/calendar-credentials.repository';
import { type CalendarUser, DelegatedAccessService } from '../shared/delegated-access.service';
import type { ConferencingAppsOutputDto, DefaultConferencingAppsOutputDto } from './dto/conferencing.output';

/** Conferencing credential types (Cal.com: `<app>_video`, e.g. zoom_video, or `<app>_conferencing`). */
const isConferencingType = (type: string): boolean => /_(video|conferencing)$/.test(type);

/**
 * Conferencing that comes with a delegated calendar: Google Meet for Google Workspace, Microsoft Teams for
 * Microsoft 365. Resolved on every request like the calendars, so it disappears as soon as the credential is
 * disabled. Manually installed conferencing credentials are listed too.
 */
@Injectable()
export class ConferencingService {
  constructor(
    private readonly access: DelegatedAccessService,
    private readonly credentials: CalendarCredentialsRepository,
  ) {}

  /**
   * One entry per conferencing app (credential type): the delegated Meet/Teams first, so it wins over a personal
   * install of the same app (Cal.com shows the delegation credential in place of the member's own); among several
   * personal installs of one app, a working one, else the oldest. `invalid` of the delegated entry is the member's
   * sync state right now: true while their delegated access fails, false again once they are connected.
   */
  async list(user: CalendarUser): Promise<ConferencingAppsOutputDto[]> {
    const [delegated, manual] = await Promise.all([
      this.access.connectionsFor(user),
      this.credentials.listManual(user.id),
    ]);
    const candidates: ConferencingAppsOutputDto[] = [
      ...delegated.map((connection) => ({
        id: connection.credential.id,
        type: CONFERENCING_APP[connection.platform].type,
        appId: CONFERENCING_APP[connection.platform].appId,
        userId: user.id,
        invalid: connection.credential.syncState === 'FAILING',
        delegationCredentialId: connection.delegationCredentialId,
      })),
      ...manual
        .filter((row) => isConferencingType(row.type))
        .sort((a, b) => Number(a.invalid === true) - Number(b.invalid === true) || a.id - b.id)
        .map((row) => ({
          id: row.id,
          type: row.type,
          appId: row.appId,
          userId: row.userId,
          invalid: row.invalid,
          delegationCredentialId: null,
        })),
    ];
    const byApp = new Map<string, ConferencingAppsOutputDto>();
    for (const entry of candidates) if (!byApp.has(entry.type)) byApp.set(entry.type, entry);
    return [...byApp.values()];
  }

  /** Cal.com's `getFirstDelegationConferencingCredentialAppLocation`: the delegated app wins; else none is set. */
  async getDefault(user: CalendarUser): Promise<DefaultConferencingAppsOutputDto> {
    const [first] = await this.access.connectionsFor(user);
    return first ? { appSlug: CONFERENCING_APP[first.platform].appId } : {};
  }
}
