import { GOOGLE_CALENDAR_SCOPE } from '../providers/provider.types';
import type { CredentialRecord, StoredProviderError } from './delegation-credentials.repository';
import type { DelegationCredentialOutput } from './dto/delegation-credential.output';

/** What the admin grants: the Google DWD scope, or the Microsoft Graph application permissions. */
export const SCOPES_TO_GRANT: Record<string, string[]> = {
  google: [GOOGLE_CALENDAR_SCOPE],
  office365: ['Calendars.ReadWrite', 'User.Read.All'],
};

/** Whitelists response fields: the key (or anything derived from it but the public client id) never goes out. */
export function toDelegationCredentialOutput(record: CredentialRecord): DelegationCredentialOutput {
  return {
    id: record.id,
    enabled: record.enabled,
    domain: record.domain,
    organizationId: record.organizationId,
    workspacePlatform: { name: record.workspacePlatform.name, slug: record.workspacePlatform.slug },
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    status: record.status.toLowerCase() as DelegationCredentialOutput['status'],
    clientId: record.clientId,
    scopes: SCOPES_TO_GRANT[record.workspacePlatform.slug] ?? [],
    lastEnabledAt: record.lastEnabledAt,
    lastDisabledAt: record.lastDisabledAt,
    lastVerifiedAt: record.lastVerifiedAt,
    lastError: (record.lastError as StoredProviderError | null) ?? null,
  };
}
