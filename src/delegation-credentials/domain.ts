/** Normalises an admin-entered domain: trims, lowercases, strips one leading `@` (Cal.com stores both forms). */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().toLowerCase();
  return trimmed.startsWith('@') ? trimmed.slice(1) : trimmed;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS name of at least two labels, each 1–63 letters/digits/hyphens (no edge hyphen), ≤ 253 characters. */
export function isValidDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => LABEL.test(label))) return false;
  return !/^\d+$/.test(labels[labels.length - 1]);
}

/** The domain of an email address, lowercased ('' when there is none). Exact match only: no suffix matching. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
}
