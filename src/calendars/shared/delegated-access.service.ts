import { Injectable, Logger } from '@nestjs/common';
import {
  type CredentialRecord,
  DelegationCredentialsRepository,
} from '../../delegation-credentials/delegation-credentials.repository';
import { emailDomain } from '../../delegation-credentials/domain';
import type { MemberSyncState } from '../../generated/prisma/client';
import { CredentialHealthRepository } from '../../lifecycle/credential-health.repository';
import { CredentialHealthService } from '../../lifecycle/credential-health.service';
import { MemberAccessFailureService } from '../../lifecycle/member-access-failure.service';
import { MemberCredentialsRepository } from '../../lifecycle/member-credentials.repository';
import { ProviderError, type ProviderErrorType } from '../../providers/provider.errors';
import { ProviderRegistry } from '../../providers/provider.registry';
import {
  type CalendarProvider,
  type DelegatedCredential,
  WORKSPACE_PLATFORM_SLUGS,
  type WorkspacePlatformSlug,
} from '../../providers/provider.types';
import { normalizeSubjectEmail } from '../../providers/subject-email';
import { CalendarContextService } from './calendar-context.service';

export interface CalendarUser {
  id: number;
  email: string;
}

/** A member's calendar reached through their organization's enabled delegation credential. */
export interface DelegatedConnection {
  delegationCredentialId: string;
  organizationId: number;
  platform: WorkspacePlatformSlug;
  /**
   * The member's delegated Credential row (its id is the `credentialId` clients see). `syncState` is the member's
   * access as they experience it: a member blocked by a credential-wide failure (BLOCKED in the admin views) is
   * FAILING here — their calendar cannot be reached either way.
   */
  credential: { id: number; type: string; appId: string; syncState: MemberAccessState | null };
  user: CalendarUser;
  /** Mailbox the provider impersonates: the member's email exactly (lowercase). */
  mailbox: string;
  record: CredentialRecord;
}

/** A member's delegated access as member-facing features see it (BLOCKED shows as FAILING). */
export type MemberAccessState = Exclude<MemberSyncState, 'BLOCKED'>;

/**
 * Whether a provider error says something about the member's access as a whole. Calls aimed at given calendars
 * (busy times, events) can get CALENDAR_NOT_ACCESSIBLE (member scope) for one calendar the member cannot read or
 * write: that is the request's problem, not a broken delegation, so it is answered but not recorded against the member.
 */
export type CallScope = 'account' | 'calendar';

/**
 * Member-scope errors about the calendar or event a call targeted rather than the member's mailbox: never recorded
 * against the member. Any other member-scope error (not in the directory, no mailbox, an access policy) is about the
 * mailbox itself, whichever call found it.
 */
const TARGET_ONLY_ERRORS: ReadonlySet<ProviderErrorType> = new Set(['CALENDAR_NOT_ACCESSIBLE']);

const isPlatform = (slug: string): slug is WorkspacePlatformSlug =>
  (WORKSPACE_PLATFORM_SLUGS as readonly string[]).includes(slug);

/**
 * Resolution of a member's delegated calendars, done on every request so that disabling a credential takes effect
 * at once: an ENABLED delegation credential of an organization where the user's membership is accepted and whose
 * domain is the user's email domain, plus the member's Credential row (provisioned on the spot when the background
 * job has not reached them yet).
 */
@Injectable()
export class DelegatedAccessService {
  private readonly logger = new Logger(DelegatedAccessService.name);
  private readonly delegatedByRecord = new WeakMap<CredentialRecord, DelegatedCredential>();

  constructor(
    private readonly context: CalendarContextService,
    private readonly delegation: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
    private readonly providers: ProviderRegistry,
    private readonly failures: MemberAccessFailureService,
    private readonly health: CredentialHealthService,
    private readonly healthRecords: CredentialHealthRepository,
  ) {}

  async connectionsFor(user: CalendarUser): Promise<DelegatedConnection[]> {
    if (!emailDomain(user.email)) return [];
    // The enabled credentials covering the user, each with the user's member credential (one query, cached).
    const { delegations: found } = await this.context.get(user);
    const connections: DelegatedConnection[] = [];
    for (const { record, member } of found) {
      if (!isPlatform(record.workspacePlatform.slug)) continue;
      const connection = await this.connectionOf(record, record.workspacePlatform.slug, user, member);
      if (connection) connections.push(connection);
    }
    return connections;
  }

  async connectionFor(
    user: CalendarUser,
    delegationCredentialId: string,
  ): Promise<DelegatedConnection | null> {
    const connections = await this.connectionsFor(user);
    return connections.find((c) => c.delegationCredentialId === delegationCredentialId) ?? null;
  }

  /**
   * Runs a provider operation for the member and feeds what it proved to the health state:
   * - a credential-scope error makes the credential failing (one credential-wide report, see
   *   CredentialHealthService) and blocks this member — the member is not reported for it;
   * - a member-scope error of an account-level call marks the member failing (reported once, re-checked on the
   *   backoff); of a calendar-targeted call it is the request's problem (one calendar) and is only answered;
   * - an account-level success connects a pending or failing member again — unless the credential is failing: a
   *   cached token can outlive a revocation, so only a credential-level check (verify, rotation, the periodic check)
   *   brings a failing credential and its members back.
   */
  async call<T>(
    connection: DelegatedConnection,
    operation: (provider: CalendarProvider, credential: DelegatedCredential) => Promise<T>,
    scope: CallScope = 'account',
  ): Promise<T> {
    const provider = this.providers.get(connection.platform);
    try {
      const result = await operation(provider, this.delegatedOf(connection.record));
      if (
        scope === 'account' &&
        connection.credential.syncState !== 'CONNECTED' &&
        connection.record.status !== 'FAILING'
      )
        await this.reportSuccess(connection);
      return result;
    } catch (error) {
      // EVENT_GONE is about one event the member deleted: never a verdict on the member's or the credential's access.
      if (error instanceof ProviderError && error.permanent && error.type !== 'EVENT_GONE') {
        if (error.scope === 'credential') {
          await this.reportCredentialFailure(connection, error);
        } else if (error.scope === 'member' && (scope === 'account' || !TARGET_ONLY_ERRORS.has(error.type))) {
          await this.reportFailure(connection, error);
        }
      }
      throw error;
    }
  }

  /**
   * The provider credential of a record (its key decrypted and fingerprinted), once per record object: a cached
   * calendar context hands out the same record until the row changes.
   */
  private delegatedOf(record: CredentialRecord): DelegatedCredential {
    let delegated = this.delegatedByRecord.get(record);
    if (!delegated) {
      delegated = this.delegation.toDelegated(record);
      this.delegatedByRecord.set(record, delegated);
    }
    return delegated;
  }

  /**
   * A live account-level call that worked proves access as well as the verification job does: a member provisioned
   * on the spot, or failing before the admin fixed the configuration, is connected now.
   */
  private async reportSuccess(connection: DelegatedConnection): Promise<void> {
    try {
      await this.members.markConnected(connection.delegationCredentialId, connection.user.id);
      connection.credential.syncState = 'CONNECTED';
    } catch (error) {
      this.logger.warn(`could not record access of ${connection.credential.id}: ${String(error)}`);
    }
  }

  private async reportCredentialFailure(
    connection: DelegatedConnection,
    error: ProviderError,
  ): Promise<void> {
    try {
      await this.health.failed(connection.record, error, 'live-call');
      await this.healthRecords.blockMember(connection.delegationCredentialId, connection.user.id);
    } catch (recordError) {
      // The caller must still see the provider error, not a bookkeeping failure.
      this.logger.error(
        `could not record the failure of credential ${connection.delegationCredentialId}: ${String(recordError)}`,
      );
    }
  }

  private async reportFailure(connection: DelegatedConnection, error: ProviderError): Promise<void> {
    try {
      await this.failures.record(
        {
          organizationId: connection.organizationId,
          delegationCredentialId: connection.delegationCredentialId,
          generation: connection.record.generation,
          platform: connection.platform,
          credential: {
            id: connection.credential.id,
            type: connection.credential.type,
            appId: connection.credential.appId,
          },
          user: connection.user,
        },
        error,
      );
    } catch (recordError) {
      // The caller must still see the provider error, not a bookkeeping failure.
      this.logger.error(`could not record failure of ${connection.credential.id}: ${String(recordError)}`);
    }
  }

  private async connectionOf(
    record: CredentialRecord,
    platform: WorkspacePlatformSlug,
    user: CalendarUser,
    provisioned: { id: number; type: string; appId: string; syncState: MemberSyncState | null } | null,
  ): Promise<DelegatedConnection | null> {
    let member = provisioned ?? null;
    if (!member) {
      // Enabled, and the member matches, but the provisioning job has not reached them yet: do it now for them.
      const target = {
        id: record.id,
        organizationId: record.organizationId,
        domain: record.domain,
        platform,
      };
      await this.members.provisionBatch(target, 0, 1, { onlyUserId: user.id });
      member = await this.members.findMemberCredential(record.id, user.id);
    }
    if (!member) return null;
    return {
      delegationCredentialId: record.id,
      organizationId: record.organizationId,
      platform,
      credential: {
        id: member.id,
        type: member.type,
        appId: member.appId,
        syncState: member.syncState === 'BLOCKED' ? 'FAILING' : member.syncState,
      },
      user: { id: user.id, email: user.email },
      mailbox: normalizeSubjectEmail(user.email),
      record,
    };
  }
}
