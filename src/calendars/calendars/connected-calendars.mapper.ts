import type { DestinationCalendar as DestinationRow } from '../../generated/prisma/client';
import { CALENDAR_APPS, calendarAppOfType } from '../shared/calendar-apps';
import type {
  ConnectedCalendars,
  ListedCalendar,
  ListedConnection,
} from '../shared/connected-calendars.service';
import type {
  Calendar,
  ConnectedCalendar,
  ConnectedCalendarsData,
  DestinationCalendar,
  Integration,
  Primary,
} from './dto/connected-calendars.output';

/** Whitelists output fields: nothing from credential rows beyond ids, types and the mailbox goes out. */
export function toCalendarOutput(calendar: ListedCalendar): Calendar & Primary {
  return {
    externalId: calendar.externalId,
    integration: calendar.integration,
    name: calendar.name,
    primary: calendar.primary,
    readOnly: calendar.readOnly,
    email: calendar.email,
    isSelected: calendar.isSelected,
    credentialId: calendar.credentialId,
    delegationCredentialId: calendar.delegationCredentialId,
  };
}

function toIntegration(connection: ListedConnection): Integration {
  return { ...CALENDAR_APPS[connection.slug] };
}

export function toConnectedCalendarOutput(connection: ListedConnection): ConnectedCalendar {
  return {
    integration: toIntegration(connection),
    credentialId: connection.credentialId,
    delegationCredentialId: connection.delegationCredentialId,
    ...(connection.primary ? { primary: toCalendarOutput(connection.primary) } : {}),
    calendars: connection.calendars.map(toCalendarOutput),
    email: connection.mailbox,
    usedForOperations: connection.usedForOperations,
    overriddenByDelegationCredentialId: connection.overriddenByDelegationCredentialId,
    ...(connection.error
      ? { error: { type: connection.error.type, message: connection.error.message } }
      : {}),
  };
}

/** The stored destination, completed with the calendar's name and flags when it is among the listed ones. */
export function toDestinationOutput(
  row: DestinationRow,
  connections: ListedConnection[],
): DestinationCalendar {
  const calendar = connections
    .flatMap((c) => c.calendars)
    .find((c) => c.integration === row.integration && c.externalId === row.externalId);
  const title = calendarAppOfType(row.integration)?.app.title;
  return {
    id: row.id,
    integration: row.integration,
    externalId: row.externalId,
    primaryEmail: row.primaryEmail,
    userId: row.userId,
    eventTypeId: null,
    credentialId: row.credentialId,
    delegationCredentialId: row.delegationCredentialId,
    ...(calendar
      ? { name: calendar.name, primary: calendar.primary, readOnly: calendar.readOnly, email: calendar.email }
      : {}),
    ...(title ? { integrationTitle: title } : {}),
  };
}

export function toConnectedCalendarsData(result: ConnectedCalendars): ConnectedCalendarsData {
  return {
    connectedCalendars: result.connections.map(toConnectedCalendarOutput),
    destinationCalendar: result.destination
      ? toDestinationOutput(result.destination, result.connections)
      : null,
  };
}
