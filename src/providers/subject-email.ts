/**
 * Cal.com gives members of a delegated organization aliased emails like `alice+<25 alphanumerics>@acme.com`.
 * The directory only knows `alice@acme.com`, so that alias is stripped before impersonating (as Cal.com does);
 * other plus-addresses are left alone. Emails are case-insensitive in both directories: lowercase for cache keys.
 */
const CAL_ALIAS = /\+[a-zA-Z0-9]{25}(?=@)/;

export function normalizeSubjectEmail(email: string): string {
  return email.trim().replace(CAL_ALIAS, '').toLowerCase();
}
