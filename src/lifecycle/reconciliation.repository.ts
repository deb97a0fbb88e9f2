import { Injectable } from '@nestjs/common';
import type { DelegationCredentialStatus } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

export interface ReconcileTarget {
  id: string;
  organizationId: number;
  domain: string;
  enabled: boolean;
  status: DelegationCredentialStatus;
  generation: number;
}

export interface Drift {
  /** An accepted member in the domain has no delegated credential of it (enabled credentials). */
  missing: boolean;
  /** Members holding a delegated credential of it they should not have (left, unaccepted, email moved; up to 1000). */
  leftovers: number[];
}

/**
 * Desired versus actual member state, one credential at a time: one query per credential, answered from the
 * indexes (Membership by organization, Credential by member and delegation credential), so a run that finds
 * nothing to do costs one short query per credential.
 */
@Injectable()
export class ReconciliationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Credentials in id order after `afterId` (keyset pages), or only those of `only`. */
  credentials(afterId: string | null, limit: number, only?: string[]): Promise<ReconcileTarget[]> {
    return this.prisma.delegationCredential.findMany({
      where: { id: { ...(afterId ? { gt: afterId } : {}), ...(only ? { in: only } : {}) } },
      orderBy: { id: 'asc' },
      take: limit,
      select: {
        id: true,
        organizationId: true,
        domain: true,
        enabled: true,
        status: true,
        generation: true,
      },
    });
  }

  /**
   * Enabled credential: is an accepted member of the organization whose email is in the domain missing a delegated
   * credential, and who holds one without being such a member? Disabled or deleting: who still holds one.
   */
  async drift(target: ReconcileTarget): Promise<Drift> {
    if (!target.enabled) {
      const rows = await this.prisma.$queryRaw<{ userId: number }[]>`
        SELECT "userId" FROM "Credential" WHERE "delegationCredentialId" = ${target.id}::uuid LIMIT 1000`;
      return { missing: false, leftovers: rows.map((r) => r.userId) };
    }
    const [row] = await this.prisma.$queryRaw<{ missing: boolean; leftovers: number[] }[]>`
      WITH matching AS (
        SELECT u.id FROM "Membership" m JOIN "User" u ON u.id = m."userId"
        WHERE m."teamId" = ${target.organizationId} AND m.accepted = true
          AND lower(split_part(u.email, '@', 2)) = ${target.domain}
      ), held AS (
        SELECT "userId" FROM "Credential" WHERE "delegationCredentialId" = ${target.id}::uuid
      )
      SELECT
        EXISTS (SELECT 1 FROM matching WHERE id NOT IN (SELECT "userId" FROM held)) AS missing,
        ARRAY(SELECT "userId" FROM held WHERE "userId" NOT IN (SELECT id FROM matching) LIMIT 1000) AS leftovers`;
    return { missing: row.missing, leftovers: row.leftovers };
  }
}
