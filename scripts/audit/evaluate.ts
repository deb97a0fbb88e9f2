/**
 * Decides whether an `npm audit --json` report (npm 7+, auditReportVersion 2) of the production dependencies passes:
 * every high or critical advisory must be listed in the allowlist (audit-allowlist.json) with the reason it does
 * not apply here, and an entry past its `until` date no longer counts (it must be reviewed again).
 */

export const BLOCKING = ['high', 'critical'] as const;

export interface AuditAdvisory {
  /** GHSA id (from the advisory URL), else npm's numeric source id. */
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
  range: string;
}

export interface AllowlistEntry {
  /** GHSA id of the advisory, e.g. GHSA-xxxx-xxxx-xxxx. */
  id: string;
  package: string;
  /** Why it does not apply to this service (how the vulnerable code is not reachable, or what mitigates it). */
  reason: string;
  /** ISO date after which the entry must be reviewed again. */
  until: string;
}

export interface AuditVerdict {
  /** High/critical advisories not on the allowlist (or on it past `until`). */
  blocking: AuditAdvisory[];
  /** High/critical advisories the allowlist explains. */
  allowed: { advisory: AuditAdvisory; entry: AllowlistEntry }[];
  /** Allowlist entries that match no advisory any more (remove them). */
  stale: AllowlistEntry[];
  /** Allowlist entries that are malformed (no reason, no date). */
  invalid: string[];
  /** Counts by severity as npm reports them. */
  counts: Record<string, number>;
}

interface ReportVia {
  source?: number;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

export interface NpmAuditReport {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { name: string; severity: string; via: (string | ReportVia)[] }>;
  metadata?: { vulnerabilities?: Record<string, number> };
}

const ghsa = (url: string | undefined): string | undefined =>
  /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/.exec(url ?? '')?.[0];

/** Every advisory of the report (deduplicated), with its own severity. */
export function advisoriesOf(report: NpmAuditReport): AuditAdvisory[] {
  const found = new Map<string, AuditAdvisory>();
  for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue; // a dependency path to another entry; its advisory is listed there
      const id = ghsa(via.url) ?? String(via.source ?? via.title);
      found.set(`${id} ${via.name}`, {
        id,
        package: via.name ?? vulnerability.name,
        severity: via.severity ?? vulnerability.severity,
        title: via.title ?? '',
        url: via.url ?? '',
        range: via.range ?? '',
      });
    }
  }
  return [...found.values()];
}

export function evaluate(
  report: NpmAuditReport,
  allowlist: AllowlistEntry[],
  today = new Date(),
): AuditVerdict {
  const invalid = allowlist
    .filter(
      (e) => !e.id || !e.package || (e.reason ?? '').trim().length < 20 || Number.isNaN(Date.parse(e.until)),
    )
    .map(
      (e) =>
        `${e.id || '(no id)'} ${e.package || '(no package)'}: needs id, package, a reason (20+ characters) and an until date`,
    );
  const valid = allowlist.filter((e) => !invalid.some((i) => i.startsWith(`${e.id} ${e.package}:`)));
  const current = valid.filter((e) => Date.parse(e.until) >= today.getTime());
  const blockingAdvisories = advisoriesOf(report).filter((a) =>
    (BLOCKING as readonly string[]).includes(a.severity),
  );
  const verdict: AuditVerdict = {
    blocking: [],
    allowed: [],
    stale: [],
    invalid,
    counts: report.metadata?.vulnerabilities ?? {},
  };
  for (const advisory of blockingAdvisories) {
    const entry = current.find((e) => e.id === advisory.id && e.package === advisory.package);
    if (entry) verdict.allowed.push({ advisory, entry });
    else verdict.blocking.push(advisory);
  }
  verdict.stale = valid.filter(
    (e) => !blockingAdvisories.some((a) => a.id === e.id && a.package === e.package),
  );
  return verdict;
}

/** Whether the verdict fails the check. */
export const fails = (verdict: AuditVerdict): boolean =>
  verdict.blocking.length > 0 || verdict.invalid.length > 0;
