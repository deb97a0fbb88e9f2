import { Injectable, Logger } from '@nestjs/common';
import {
  type CredentialRecord,
  DelegationCredentialsRepository,
} from '../../delegation-credentials/delegation-credentials.repository';
import { emailDomain } from '../../delegation-credentials/domain';
import type { MemberSyncState } from '../../generated/prisma/client';
import { MemberAccessFailureService } from '../../lifecycle/member-access-failure.service';
import { MemberCredentialsRepository } from '../../lifecycle/member-credentials.repository';
import { ProviderError } from '../../providers/provider.errors';
import { ProviderRegistry } from '../../providers/provider.registry';
import {
  type CalendarProvider,
  type DelegatedCredential,
  WORKSPACE_PLATFORM_SLUGS,
  type WorkspacePlatformSlug,
} from '../../providers/provider.types';
import { normalizeSubjectEmail } from '../../providers/subject-email';
import { CalendarCredentialsRepository } from './calendar-credentials.repository';

export interface CalendarUser {
  id: number;
  email: string;
}

/** A member's calendar reached through their organization's enabled delegation credential. */
export interface DelegatedConnection {
  delegationCredentialId: string;
  organizationId: number;
  platform: WorkspacePlatformSlug;
  /** The member's delegated Credential row (its id is the `credentialId` clients see). */
  credential: { id: number; type: string; appId: string; syncState: MemberSyncState | null };
  user: CalendarUser;
  /** Mailbox the provider impersonates: the member's email exactly (lowercase). */
  mailbox: string;
  record: CredentialRecord;
}

/**
 * Whether a provider error says something about the member's access as a whole. Calls aimed at given calendars
 * (busy times, events) can get CALENDAR_NOT_ACCESSIBLE for one calendar the member cannot read or write: that is the
 * request's problem, not a broken delegation, so it is answered but not recorded against the member.
 */
export type CallScope = 'account' | 'calendar';

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

  constructor(
    private readonly credentials: CalendarCredentialsRepository,
    private readonly delegation: DelegationCredentialsRepository,
    private readonly members: MemberCredentialsRepository,
    private readonly providers: ProviderRegistry,
    private readonly failures: MemberAccessFailureService,
  ) {}

  async connectionsFor(user: CalendarUser): Promise<DelegatedConnection[]> {
    const domain = emailDomain(user.email);
    if (!domain) return [];
    const organizationIds = await this.credentials.acceptedOrganizationIds(user.id);
    const records = await Promise.all(
      organizationIds.map((id) => this.delegation.findEnabledForOrgDomain(id, domain)),
    );
    const connections: DelegatedConnection[] = [];
    for (const record of records) {
      if (!record || !isPlatform(record.workspacePlatform.slug)) continue;
      const connection = await this.connectionOf(record, record.workspacePlatform.slug, user);
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

  /** Runs a provider operation for the member; permanent failures mark them failing (and fire the webhook). */
  async call<T>(
    connection: DelegatedConnection,
    operation: (provider: CalendarProvider, credential: DelegatedCredential) => Promise<T>,
    scope: CallScope = 'account',
  ): Promise<T> {
    const provider = this.providers.get(connection.platform);
    try {
      const result = await operation(provider, this.delegation.toDelegated(connection.record));
      if (scope === 'account' && connection.credential.syncState !== 'CONNECTED')
        await this.reportSuccess(connection);
      return result;
    } catch (error) {
      if (error instanceof ProviderError && error.permanent) {
        if (scope === 'account' || error.type !== 'CALENDAR_NOT_ACCESSIBLE')
          await this.reportFailure(connection, error);
      }
      throw error;
    }
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

  private async reportFailure(connection: DelegatedConnection, error: ProviderError): Promise<void> {
    try {
      await this.failures.record(
        {
          organizationId: connection.organizationId,
          delegationCredentialId: connection.delegationCredentialId,
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
  ): Promise<DelegatedConnection | null> {
    let member = await this.members.findMemberCredential(record.id, user.id);
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
      credential: { id: member.id, type: member.type, appId: member.appId, syncState: member.syncState },
      user: { id: user.id, email: user.email },
      mailbox: normalizeSubjectEmail(user.email),
      record,
    };
  }
}
