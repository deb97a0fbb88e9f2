import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { type IntentWriter, recordIntent } from '../jobs/job-intents';
import { JOB } from '../jobs/jobs.types';
import { PrismaService } from '../prisma/prisma.service';
import type { ProviderErrorScope } from '../providers/provider.errors';

/** Timestamps are stored as UTC `timestamp(3)` (Prisma's convention), whatever the session time zone. */
const NOW = Prisma.sql`timezone('UTC', now())`;
const utc = (date: Date) => Prisma.sql`(${date.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Failing and blocked members of a credential are due for a check now (it recovered, or its key was replaced):
 * run inside the transaction of that change. A plain function so the credentials repository can use it too.
 */
export function makeUnhealthyMembersDue(tx: Prisma.TransactionClient, credentialId: string): Promise<number> {
  return tx.$executeRaw`
    UPDATE "Credential" SET "nextCheckAt" = ${NOW}
    WHERE "delegationCredentialId" = ${credentialId}::uuid AND "syncState" IN ('FAILING', 'BLOCKED')`;
}

/** A credential-level provider error as stored on the credential (`lastError`): never key material. */
export interface CredentialError {
  type: string;
  message: string;
  scope: ProviderErrorScope;
  at: string;
}

/**
 * What a provider call proved about a delegation credential, and which state it may be applied to.
 */
export interface HealthEvidence {
  credentialId: string;
  /** Ciphertext of the key the call used: evidence about a key that was replaced meanwhile is ignored. */
  encryptedKey: string;
  /** A credential-level check (verify, periodic check): recorded as `lastVerifiedAt`. Live calls and jobs: absent. */
  checkedAt?: Date;
  /**
   * The verify endpoint: the credential must still be in the state the request read (enabled flag, generation, not
   * being deleted), or nothing is written (the caller answers 409). A disabled credential only records
   * `lastVerifiedAt`/`lastError`; its status stays. Without it, evidence applies only to an enabled credential that
   * is active or failing.
   */
  sameStateAs?: { enabled: boolean; generation: number };
}

export type HealthSource = 'verify' | 'health-check' | 'member-verification' | 'live-call' | 'resync';

export interface FailureOutcome {
  /** The credential was in a state the evidence applies to (else nothing was written). */
  matched: boolean;
  /** It went failing, or was failing with another error type: report it (once). */
  changed: boolean;
  organizationId: number;
  domain: string;
  generation: number;
  /** Members with a delegated credential of it (all of them lose access). */
  affectedMembers: number;
  /** What is stored (the first error of a failure keeps its `at` while the type stays the same). */
  lastError: CredentialError | null;
}

export interface SuccessOutcome {
  matched: boolean;
  /** It was failing and is active again: its failing and blocked members are due for re-verification. */
  recovered: boolean;
  generation: number;
}

/** The members a re-check queues: their user id. */
export interface DueMember {
  userId: number;
}

/**
 * The credential health state machine in SQL: `active ⇄ failing` transitions of a delegation credential, applied
 * with one conditional statement under a row lock so that of concurrent reports of the same failure exactly one
 * sees the change (and reports it), and everything a transition implies — members blocked or made due, the audit
 * row — committed in the same transaction.
 */
@Injectable()
export class CredentialHealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * A credential-scope failure. Enabled credential: `failing` with `lastError` (kept, with its first `at`, while the
   * type stays the same). When that changed the state, its connected and pending members become `blocked` (members
   * failing with an error of their own keep it), a FAILING audit row is written, and `onChanged` runs in the same
   * transaction (to record the webhook's job intents).
   */
  recordFailure(
    evidence: HealthEvidence,
    error: CredentialError,
    source: HealthSource,
    onChanged?: (tx: IntentWriter, outcome: FailureOutcome) => Promise<void>,
  ): Promise<FailureOutcome> {
    const json = JSON.stringify(error);
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<
        {
          oldStatus: string;
          oldType: string | null;
          enabled: boolean;
          organizationId: number;
          domain: string;
          generation: number;
          lastError: CredentialError | null;
        }[]
      >`
        WITH old AS (
          SELECT id, status, enabled, "lastError"->>'type' AS type FROM "DelegationCredential"
          WHERE ${this.applies(evidence)} FOR UPDATE
        )
        UPDATE "DelegationCredential" d SET
          status = CASE WHEN old.enabled THEN 'FAILING'::"DelegationCredentialStatus" ELSE d.status END,
          "lastError" = CASE WHEN old.status = 'FAILING' AND old.type = ${error.type} THEN d."lastError"
                             ELSE ${json}::jsonb END,
          "lastVerifiedAt" = ${evidence.checkedAt ? utc(evidence.checkedAt) : Prisma.sql`d."lastVerifiedAt"`},
          "updatedAt" = ${NOW}
        FROM old WHERE d.id = old.id
        RETURNING old.status::text AS "oldStatus", old.type AS "oldType", old.enabled, d."organizationId",
          d.domain, d.generation, d."lastError"`;
      if (!row) {
        return {
          matched: false,
          changed: false,
          organizationId: 0,
          domain: '',
          generation: 0,
          affectedMembers: 0,
          lastError: null,
        };
      }
      const changed = row.enabled && !(row.oldStatus === 'FAILING' && row.oldType === error.type);
      let affectedMembers = 0;
      if (changed) {
        await tx.$executeRaw`
          UPDATE "Credential" SET "syncState" = 'BLOCKED', "nextCheckAt" = NULL, "updatedAt" = ${NOW}
          WHERE "delegationCredentialId" = ${evidence.credentialId}::uuid AND "syncState" IN ('PENDING', 'CONNECTED')`;
        affectedMembers = await tx.credential.count({
          where: { delegationCredentialId: evidence.credentialId },
        });
        await tx.delegationCredentialAuditEvent.create({
          data: {
            delegationCredentialId: evidence.credentialId,
            organizationId: row.organizationId,
            actorUserId: null,
            action: 'FAILING',
            outcome: 'FAILURE',
            details: { source, error: { type: error.type, message: error.message }, affectedMembers },
          },
        });
      }
      const outcome: FailureOutcome = { matched: true, changed, ...row, affectedMembers };
      // What the change implies (the credential-wide webhook) commits with it.
      if (changed && onChanged) await onChanged(tx, outcome);
      return outcome;
    });
  }

  /**
   * A passing credential-level check. Enabled credential: `active`, `lastError` cleared. When it was failing, its
   * failing and blocked members are made due now and re-verified by a reverify-members job (its intent is committed
   * in the same transaction), and a RECOVERED audit row is written.
   */
  recordSuccess(evidence: HealthEvidence, source: HealthSource): Promise<SuccessOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<
        { oldStatus: string; enabled: boolean; organizationId: number; generation: number }[]
      >`
        WITH old AS (
          SELECT id, status, enabled FROM "DelegationCredential" WHERE ${this.applies(evidence)} FOR UPDATE
        )
        UPDATE "DelegationCredential" d SET
          status = CASE WHEN old.enabled THEN 'ACTIVE'::"DelegationCredentialStatus" ELSE d.status END,
          "lastError" = NULL,
          "lastVerifiedAt" = ${evidence.checkedAt ? utc(evidence.checkedAt) : Prisma.sql`d."lastVerifiedAt"`},
          "updatedAt" = ${NOW}
        FROM old WHERE d.id = old.id
        RETURNING old.status::text AS "oldStatus", old.enabled, d."organizationId", d.generation`;
      if (!row) return { matched: false, recovered: false, generation: 0 };
      const recovered = row.enabled && row.oldStatus === 'FAILING';
      if (recovered) {
        await makeUnhealthyMembersDue(tx, evidence.credentialId);
        await recordIntent(tx, JOB.REVERIFY_MEMBERS, {
          credentialId: evidence.credentialId,
          generation: row.generation,
          round: Date.now(),
        });
        await tx.delegationCredentialAuditEvent.create({
          data: {
            delegationCredentialId: evidence.credentialId,
            organizationId: row.organizationId,
            actorUserId: null,
            action: 'RECOVERED',
            outcome: 'SUCCESS',
            details: { source },
          },
        });
      }
      return { matched: true, recovered, generation: row.generation };
    });
  }

  /** One member's access failed because the credential is failing: connected / pending → blocked. */
  async blockMember(credentialId: string, userId: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Credential" SET "syncState" = 'BLOCKED', "nextCheckAt" = NULL, "lastCheckedAt" = ${NOW},
        "updatedAt" = ${NOW}
      WHERE "delegationCredentialId" = ${credentialId}::uuid AND "userId" = ${userId}
        AND "syncState" IN ('PENDING', 'CONNECTED')`;
  }

  /**
   * Claims up to `limit` members of an active credential that are due for a check, and moves their `nextCheckAt`
   * `guardSeconds` ahead so the next round does not queue them again while their check is still waiting:
   * - failing members whose backoff re-check time has passed (or who have none: failing before re-checks existed);
   * - blocked members (the credential is active again: the recovery's re-verification was lost or is running);
   * - pending members whose verification has not completed within `pendingTimeoutSeconds` (or whose last re-queue
   *   was that long ago): nobody stays pending for ever.
   * Members are claimed in user id order after `afterUserId`.
   */
  claimDueMembers(
    credentialId: string,
    options: { afterUserId: number; limit: number; pendingTimeoutSeconds: number; guardSeconds: number },
  ): Promise<DueMember[]> {
    const { afterUserId, limit, pendingTimeoutSeconds, guardSeconds } = options;
    return this.prisma.$queryRaw<DueMember[]>`
      UPDATE "Credential" c SET "nextCheckAt" = ${NOW} + make_interval(secs => ${guardSeconds})
      FROM (
        SELECT id FROM "Credential"
        WHERE "delegationCredentialId" = ${credentialId}::uuid AND "userId" > ${afterUserId} AND (
          ("syncState" = 'FAILING' AND COALESCE("nextCheckAt", '-infinity') <= ${NOW})
          OR ("syncState" = 'BLOCKED' AND COALESCE("nextCheckAt", '-infinity') <= ${NOW})
          OR ("syncState" = 'PENDING' AND COALESCE("nextCheckAt",
                "createdAt" + make_interval(secs => ${pendingTimeoutSeconds})) <= ${NOW}))
        ORDER BY "userId" LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) due
      WHERE c.id = due.id
      RETURNING c."userId"`;
  }

  /**
   * Subjects the health check may impersonate, best first: the admin who enabled the credential (if still an
   * accepted member whose email is in the domain), then members whose access was verified (most recently checked
   * first), then other matching members. At most `limit`.
   */
  async healthCheckSubjects(
    credential: { id: string; organizationId: number; domain: string; enabledByUserId: number | null },
    limit: number,
  ): Promise<{ userId: number; email: string }[]> {
    return this.prisma.$queryRaw<{ userId: number; email: string }[]>`
      SELECT u.id AS "userId", u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
      LEFT JOIN "Credential" c ON c."userId" = u.id AND c."delegationCredentialId" = ${credential.id}::uuid
      WHERE m."teamId" = ${credential.organizationId} AND m.accepted = true
        AND lower(split_part(u.email, '@', 2)) = ${credential.domain}
      ORDER BY (u.id = ${credential.enabledByUserId ?? -1}) DESC,
        (c."syncState" IN ('CONNECTED', 'BLOCKED')) DESC NULLS LAST,
        c."lastCheckedAt" DESC NULLS LAST, u.id
      LIMIT ${limit}`;
  }

  /** Enabled credentials that are active or failing, in id order after `afterId` (the sweep's keyset pages). */
  async checkableCredentialIds(afterId: string | null, limit: number): Promise<string[]> {
    const rows = await this.prisma.delegationCredential.findMany({
      where: {
        enabled: true,
        status: { in: ['ACTIVE', 'FAILING'] },
        ...(afterId ? { id: { gt: afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  /** Every member with a delegated credential of it, in user id order after `afterUserId` (resync). */
  async memberUserIds(credentialId: string, afterUserId: number, limit: number): Promise<number[]> {
    const rows = await this.prisma.credential.findMany({
      where: { delegationCredentialId: credentialId, userId: { gt: afterUserId } },
      orderBy: { userId: 'asc' },
      take: limit,
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }

  private applies(evidence: HealthEvidence): Prisma.Sql {
    const base = Prisma.sql`id = ${evidence.credentialId}::uuid AND "encryptedKey" = ${evidence.encryptedKey}`;
    const state = evidence.sameStateAs;
    return state
      ? Prisma.sql`${base} AND enabled = ${state.enabled} AND generation = ${state.generation}
          AND status <> 'DELETING'`
      : Prisma.sql`${base} AND enabled = true AND status IN ('ACTIVE', 'FAILING')`;
  }
}
