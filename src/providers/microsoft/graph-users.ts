import { ProviderError } from '../provider.errors';
import type { GraphApi, GraphCollection } from './graph-api';
import type { GraphUser } from './graph-mappers';
import type { MicrosoftErrorContext } from './microsoft-errors';

/** OData string literal: single quotes are doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Finds the member in the tenant's directory: by primary SMTP address (`mail`) first, which is what Cal.com stores,
 * then by sign-in name (`userPrincipalName`), which differs from `mail` in many tenants. Needs User.Read.All.
 */
export async function resolveGraphUser(
  graph: GraphApi,
  email: string,
  ctx: MicrosoftErrorContext,
): Promise<GraphUser> {
  for (const property of ['mail', 'userPrincipalName']) {
    const page = await graph.get<GraphCollection<GraphUser>>('/users', {
      $filter: `${property} eq ${literal(email)}`,
      $select: 'id,mail,userPrincipalName,displayName',
    });
    const user = page.value[0];
    if (user) return user;
  }
  throw new ProviderError(
    'USER_NOT_IN_DIRECTORY',
    `${email} is not a user of tenant ${ctx.tenantId} (no user has this mail or userPrincipalName). Check the ` +
      `member's email in Microsoft Entra admin center › Users.`,
    'office365',
  );
}
