import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AllowlistEntry,
  advisoriesOf,
  evaluate,
  fails,
  type NpmAuditReport,
} from '../scripts/audit/evaluate';

/** An `npm audit --omit=dev --json` report (npm 7+ shape) with one advisory of each severity that matters. */
const report: NpmAuditReport = {
  auditReportVersion: 2,
  vulnerabilities: {
    lodash: {
      name: 'lodash',
      severity: 'critical',
      via: [
        {
          source: 1,
          name: 'lodash',
          title: 'Prototype Pollution in lodash',
          url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw',
          severity: 'critical',
          range: '<4.17.19',
        },
      ],
    },
    'some-parser': {
      name: 'some-parser',
      severity: 'high',
      via: [
        'lodash',
        {
          source: 2,
          name: 'some-parser',
          title: 'ReDoS',
          url: 'https://github.com/advisories/GHSA-9c47-m6qq-7p4h',
          severity: 'high',
          range: '<2.0.0',
        },
      ],
    },
    minor: {
      name: 'minor',
      severity: 'moderate',
      via: [
        {
          source: 3,
          name: 'minor',
          title: 'x',
          url: 'https://github.com/advisories/GHSA-2222-3333-4444',
          severity: 'moderate',
        },
      ],
    },
  },
  metadata: { vulnerabilities: { moderate: 1, high: 1, critical: 1, total: 3 } },
};

const entry = (id: string, pkg: string, until = '2999-01-01'): AllowlistEntry => ({
  id,
  package: pkg,
  reason: 'only used by the build, never with untrusted input',
  until,
});

describe('npm audit allowlist (scripts/audit)', () => {
  it('reads each advisory once with its own severity (dependency paths skipped)', () => {
    expect(advisoriesOf(report).map((a) => `${a.severity} ${a.id} ${a.package}`)).toEqual([
      'critical GHSA-p6mc-m468-83gw lodash',
      'high GHSA-9c47-m6qq-7p4h some-parser',
      'moderate GHSA-2222-3333-4444 minor',
    ]);
  });

  it('fails on every high or critical advisory not listed; moderate ones do not block', () => {
    const verdict = evaluate(report, []);
    expect(verdict.blocking.map((a) => a.id)).toEqual(['GHSA-p6mc-m468-83gw', 'GHSA-9c47-m6qq-7p4h']);
    expect(fails(verdict)).toBe(true);
  });

  it('passes when each is listed with a reason; reports entries that match nothing as stale', () => {
    const verdict = evaluate(report, [
      entry('GHSA-p6mc-m468-83gw', 'lodash'),
      entry('GHSA-9c47-m6qq-7p4h', 'some-parser'),
      entry('GHSA-xxxx-xxxx-xxxx', 'gone'),
    ]);
    expect(fails(verdict)).toBe(false);
    expect(verdict.allowed).toHaveLength(2);
    expect(verdict.stale.map((e) => e.package)).toEqual(['gone']);
  });

  it('an entry past its until date, for another package, or without a reason does not count', () => {
    const expired = evaluate(
      report,
      [entry('GHSA-p6mc-m468-83gw', 'lodash', '2020-01-01')],
      new Date('2026-01-01'),
    );
    expect(expired.blocking.map((a) => a.id)).toContain('GHSA-p6mc-m468-83gw');
    const otherPackage = evaluate(report, [entry('GHSA-p6mc-m468-83gw', 'not-lodash')]);
    expect(otherPackage.blocking.map((a) => a.id)).toContain('GHSA-p6mc-m468-83gw');
    const noReason = evaluate({}, [{ ...entry('GHSA-p6mc-m468-83gw', 'lodash'), reason: 'n/a' }]);
    expect(noReason.invalid).toHaveLength(1);
    expect(fails(noReason)).toBe(true);
  });

  it('the committed audit-allowlist.json is well-formed (every entry has a reason and a review date)', () => {
    const file = JSON.parse(readFileSync(path.join(__dirname, '..', 'audit-allowlist.json'), 'utf8')) as {
      advisories: AllowlistEntry[];
    };
    expect(evaluate({}, file.advisories).invalid).toEqual([]);
  });
});
