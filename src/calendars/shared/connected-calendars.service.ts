import { Injectable } from '@nestjs/common';
import type { DestinationCalendar } from '../../generated/prisma/client';
import { ProviderError } from '../../providers/provider.errors';
import type { ProviderCalendar } from '../../providers/provider.types';
import { CALENDAR_APPS, type CalendarSlug } from './calendar-apps';
import { CalendarConnectionsService, type ManualConnection } from './calendar-connections.service';
import { CalendarContextService } from './calendar-context.service';
import { CalendarPreferencesRepository } from './calendar-preferences.repository';
import {
  type CalendarUser,
  DelegatedAccessService,
  type DelegatedConnection,
} from './delegated-access.service';

export interface ListedCalendar {
  externalId: string;
  integration: string;
  name: string;
  primary: boolean;
  readOnly: boolean;
  email: string;
  isSelected: boolean;
  credentialId: number;
  delegationCredentialId: string | null;
}

export interface ListedConnection {
  slug: CalendarSlug;
  credentialId: number;
  delegationCredentialId: string | null;
  mailbox: string | null;
  usedForOperations: boolean;
  overriddenByDelegationCredentialId: string | null;
  primary: ListedCalendar | null;
  calendars: ListedCalendar[];
  /** Why the calendars could not be read (this connection only; the others are still listed). */
  error: ProviderError | null;
}

export interface ConnectedCalendars {
  connections: ListedConnection[];
  destination: DestinationCalendar | null;
}

const selectionKey = (integration: string, externalId: string) => `${integration}\u0000${externalId}`;

/**
 * The member's connected calendars as `GET /v2/calendars` shows them: delegated connections listed live through
 * the provider, manual ones from the database. Without a destination calendar, the delegated primary becomes it
 * (as Cal.com's getConnectedDestinationCalendarsAndEnsureDefaultsInDb does).
 */
@Injectable()
export class ConnectedCalendarsService {
  constructor(
    private readonly connections: CalendarConnectionsService,
    private readonly access: DelegatedAccessService,
    private readonly preferences: CalendarPreferencesRepository,
    private readonly context: CalendarContextService,
  ) {}

  async list(user: CalendarUser): Promise<ConnectedCalendars> {
    const { delegated, manual } = await this.connections.resolve(user);
    // Resolving may provision the member (a delegation without their credential), which creates default
    // selections: then read them afterwards, past the cached context (its invalidation may still be on its way).
    const context = await this.context.get(user);
    const provisioned = context.delegations.some((d) => d.member === null);
    const selectedRows = provisioned ? await this.preferences.listSelected(user.id) : context.selected;
    const selected = new Set(selectedRows.map((s) => selectionKey(s.integration, s.externalId)));
    const listed = [
      ...(await Promise.all(delegated.map((d) => this.listDelegated(d, selected)))),
      ...manual.map((m) => this.listManual(m)),
    ];
    let destination = provisioned ? await this.preferences.findDestination(user.id) : context.destination;
    if (!destination) {
      const primary = listed.find(
        (c) => c.delegationCredentialId && c.primary && !c.primary.readOnly,
      )?.primary;
      if (primary) {
        destination = await this.preferences.ensureDestination(user.id, {
          integration: primary.integration,
          externalId: primary.externalId,
          primaryEmail: primary.email,
          credentialId: primary.credentialId,
          delegationCredentialId: primary.delegationCredentialId,
        });
      }
    }
    return { connections: listed, destination };
  }

  private async listDelegated(
    connection: DelegatedConnection,
    selected: Set<string>,
  ): Promise<ListedConnection> {
    const slug: CalendarSlug = connection.platform;
    const integration = CALENDAR_APPS[slug].type;
    const base = {
      slug,
      credentialId: connection.credential.id,
      delegationCredentialId: connection.delegationCredentialId,
      mailbox: connection.mailbox,
      usedForOperations: true,
      overriddenByDelegationCredentialId: null,
    };
    let calendars: ProviderCalendar[];
    try {
      calendars = await this.access.call(connection, (provider, credential) =>
        provider.listCalendars(credential, connection.user.email),
      );
    } catch (error) {
      // One broken connection must not hide the others: report it on the connection instead.
      if (!(error instanceof ProviderError)) throw error;
      return { ...base, primary: null, calendars: [], error };
    }
    const items = calendars.map((c): ListedCalendar => ({
      externalId: c.externalId,
      integration,
      name: c.name,
      primary: c.primary,
      readOnly: c.readOnly,
      email: c.email ?? connection.mailbox,
      isSelected: selected.has(selectionKey(integration, c.externalId)),
      credentialId: connection.credential.id,
      delegationCredentialId: connection.delegationCredentialId,
    }));
    return { ...base, primary: items.find((c) => c.primary) ?? null, calendars: items, error: null };
  }

  /** This service holds manual keys but cannot call their providers: they are listed without calendars. */
  private listManual(connection: ManualConnection): ListedConnection {
    return {
      slug: connection.slug,
      credentialId: connection.credential.id,
      delegationCredentialId: null,
      mailbox: connection.mailbox,
      usedForOperations: connection.overriddenBy === null,
      overriddenByDelegationCredentialId: connection.overriddenBy?.delegationCredentialId ?? null,
      primary: null,
      calendars: [],
      error: null,
    };
  }
}
