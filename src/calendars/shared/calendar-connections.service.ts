import { Injectable } from '@nestjs/common';
import { normalizeSubjectEmail } from '../../providers/subject-email';
import { calendarAppOfType, type CalendarSlug } from './calendar-apps';
import { CalendarContextService } from './calendar-context.service';
import { CalendarCredentialsRepository, type CredentialRow } from './calendar-credentials.repository';
import {
  type CalendarUser,
  DelegatedAccessService,
  type DelegatedConnection,
} from './delegated-access.service';

/** A calendar the member connected by hand (kept even when a delegation credential takes priority). */
export interface ManualConnection {
  credential: CredentialRow;
  slug: CalendarSlug;
  /** Mailbox the credential connects (null when unknown). */
  mailbox: string | null;
  /** The delegated connection used instead of this one, for the same app and mailbox. */
  overriddenBy: DelegatedConnection | null;
}

export interface UserConnections {
  delegated: DelegatedConnection[];
  manual: ManualConnection[];
}

/** What a client-supplied `credentialId` / `delegationCredentialId` pair resolves to for the caller. */
export type ResolvedCredential =
  { kind: 'delegated'; connection: DelegatedConnection } | { kind: 'manual'; connection: ManualConnection };

/**
 * A member's calendar connections, delegated and manual, with the priority rule: for the same app (credential
 * type) and the same mailbox, the delegated connection is used for every operation; the manual one is preserved
 * and listed as overridden, never deleted (Cal.com's `_ensureNoConflictingNonDelegatedConnectedCalendar` hides it;
 * listing it with the reason is more honest).
 */
@Injectable()
export class CalendarConnectionsService {
  constructor(
    private readonly access: DelegatedAccessService,
    private readonly credentials: CalendarCredentialsRepository,
    private readonly context: CalendarContextService,
  ) {}

  async resolve(user: CalendarUser): Promise<UserConnections> {
    const [delegated, { manual: rows }] = await Promise.all([
      this.access.connectionsFor(user),
      this.context.get(user),
    ]);
    const manual: ManualConnection[] = [];
    for (const credential of rows) {
      const app = calendarAppOfType(credential.type);
      if (!app) continue; // conferencing or other apps: not calendars
      const mailbox = this.credentials.mailboxOf(credential);
      const subject = mailbox ? normalizeSubjectEmail(mailbox) : null;
      const overriddenBy =
        delegated.find((d) => d.credential.type === credential.type && d.mailbox === subject) ?? null;
      manual.push({ credential, slug: app.slug, mailbox, overriddenBy });
    }
    return { delegated, manual };
  }

  /** `matchCredential` over the caller's current connections. */
  async resolveCredential(user: CalendarUser, ref: CredentialRef): Promise<ResolvedCredential | null> {
    return matchCredential(await this.resolve(user), ref);
  }
}

export interface CredentialRef {
  credentialId?: number;
  delegationCredentialId?: string;
}

/**
 * Resolves a calendar reference of the caller. A delegated connection is found by its member credential id or by
 * its delegation credential id (Cal.com's in-memory credentials carry a negative id plus the latter). A manual
 * credential overridden by a delegated one resolves to the delegated one. Null: not the caller's, or no longer
 * usable (e.g. its delegation credential was disabled).
 */
export function matchCredential(connections: UserConnections, ref: CredentialRef): ResolvedCredential | null {
  const { delegated, manual } = connections;
  if (ref.delegationCredentialId !== undefined) {
    const connection = delegated.find((d) => d.delegationCredentialId === ref.delegationCredentialId);
    if (!connection) return null;
    const idMatches =
      ref.credentialId === undefined || ref.credentialId < 1 || ref.credentialId === connection.credential.id;
    return idMatches ? { kind: 'delegated', connection } : null;
  }
  const byId = delegated.find((d) => d.credential.id === ref.credentialId);
  if (byId) return { kind: 'delegated', connection: byId };
  const own = manual.find((m) => m.credential.id === ref.credentialId);
  if (!own) return null;
  return own.overriddenBy
    ? { kind: 'delegated', connection: own.overriddenBy }
    : { kind: 'manual', connection: own };
}
