import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service';

export interface CredentialMemberCounts {
  credentialId: string;
  /** Delegated member credentials by sync state (lowercase: pending, connected, failing). */
  states: Record<string, number>;
  total: number;
}

/** The database side of the scraped gauges: a few aggregate queries on indexed columns, run per scrape. */
@Injectable()
export class DelegationMetricsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Delegated member credentials per delegation credential and sync state (index on delegationCredentialId, syncState). */
  async membersByCredential(): Promise<CredentialMemberCounts[]> {
    const rows = await this.prisma.credential.groupBy({
      by: ['delegationCredentialId', 'syncState'],
      where: { delegationCredentialId: { not: null } },
      _count: { _all: true },
    });
    const byCredential = new Map<string, CredentialMemberCounts>();
    for (const row of rows) {
      const credentialId = row.delegationCredentialId!;
      const entry = byCredential.get(credentialId) ?? { credentialId, states: {}, total: 0 };
      const state = (row.syncState ?? 'PENDING').toLowerCase();
      entry.states[state] = (entry.states[state] ?? 0) + row._count._all;
      entry.total += row._count._all;
      byCredential.set(credentialId, entry);
    }
    return [...byCredential.values()];
  }

  /** Delegation credentials per status (lowercase: pending, active, failing, disabled, deleting). */
  async credentialsByStatus(): Promise<Record<string, number>> {
    const rows = await this.prisma.delegationCredential.groupBy({ by: ['status'], _count: { _all: true } });
    return Object.fromEntries(rows.map((row) => [row.status.toLowerCase(), row._count._all]));
  }
}
