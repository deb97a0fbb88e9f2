/**
 * The mailbox a member's calls act on: exactly their email, trimmed and lowercased (both directories compare
 * addresses case-insensitively; lowercase keeps cache keys stable). A plus-address is a different account here and
 * is impersonated as it is: this service has no Cal.com managed users, so Cal.com's `+<25 alphanumerics>` alias
 * stripping would only let `jane+…@acme.com` act as `jane@acme.com`.
 */
export function normalizeSubjectEmail(email: string): string {
  return email.trim().toLowerCase();
}
