const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name with at least two labels (contoso.com, contoso.onmicrosoft.com). */
const DOMAIN =
  /^(?=.{3,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/**
 * Authority segments that name no tenant: multi-tenant sign-in endpoints. The client credentials grant needs the
 * tenant whose directory the app reads (Microsoft identity platform: "Microsoft identity platform and the OAuth 2.0
 * client credentials flow" — the tenant must be the GUID or a domain name).
 */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Why `tenantId` cannot be used as the Entra tenant of a client-credentials token request, or null when it can:
 * it must be the Directory (tenant) ID (a GUID) or one of the tenant's domain names. Never echoes the value.
 */
export function tenantIdProblem(tenantId: string): string | null {
  const value = tenantId.trim();
  if (MULTI_TENANT.has(value.toLowerCase())) {
    return (
      'must name one tenant: common, organizations and consumers are multi-tenant sign-in endpoints, which the ' +
      'client credentials grant cannot use. Use the Directory (tenant) ID (a GUID) or a domain of the tenant'
    );
  }
  if (GUID.test(value) || DOMAIN.test(value)) return null;
  return 'must be the Directory (tenant) ID (a GUID) or a domain name of the tenant (e.g. contoso.onmicrosoft.com)';
}
