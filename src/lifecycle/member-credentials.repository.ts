import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { CALENDAR_APP } from './platform-apps';

export interface ProvisionTarget {
  id: string;
  organizationId: number;
  domain: string;
  platform: WorkspacePlatformSlug;
}

export interface BatchResult {
  /** The credential was disabled or re-enabled (new generation) meanwhile: nothing was written. */
  movedOn: boolean;
  /** Matching members seen in this batch. */
  members: number;
  /** Delegated credentials created (0 for members who already had one). */
  created: number;
  /** Highest user id of the batch: the keyset cursor of the next one (null when the batch was empty). */
  lastUserId: number | null;
}

/** Timestamps are stored as UTC `timestamp(3)` (Prisma's convention), whatever the session time zone. */
const NOW = Prisma.sql`timezone('UTC', now())`;

export interface StoredMemberError {
  type: string;
  message: string;
  at: string;
}

/**
 * Serialises member writes of one delegation credential (provision batches, cleanup batches, single-member syncs)
 * and reads its state under that lock, so a cleanup batch never runs after a provisioning batch of a later enable.
 */
async function lockMembers(
  tx: Prisma.TransactionClient,
  dc: string,
): Promise<{ enabled: boolean; generation: number } | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dc-members:${dc}`}))`;
  const rows = await tx.$queryRaw<{ enabled: boolean; generation: number }[]>`
    SELECT enabled, generation FROM "DelegationCredential" WHERE id = ${dc}::uuid`;
  return rows[0] ?? null;
}

/**
 * Set-based SQL for member credentials: a whole batch of members is provisioned in a handful of statements
 * (`INSERT … SELECT … ON CONFLICT`), so 10,000 members cost a few round trips, not 10,000.
 * Matching is exact on the email domain (case-insensitive): `notacme.com` and `sub.acme.com` are not `acme.com`.
 */
@Injectable()
export class MemberCredentialsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Provisions the next `limit` matching accepted members after `afterUserId` (or just `onlyUserId`): their delegated
   * credential, and default preferences where they have none — for Google the primary calendar id is the email, so
   * no API call is needed; for Microsoft the primary calendar id is only known after the verification step.
   * Preferences kept from an earlier enable (or a deleted credential) are re-linked, not duplicated.
   */
  async provisionBatch(
    target: ProvisionTarget,
    afterUserId: number,
    limit: number,
    options: { generation?: number; onlyUserId?: number } = {},
  ): Promise<BatchResult> {
    const app = CALENDAR_APP[target.platform];
    const dc = target.id;
    const { generation, onlyUserId } = options;
    return this.prisma.$transaction(async (tx) => {
      const state = await lockMembers(tx, dc);
      if (!state?.enabled || (generation !== undefined && state.generation !== generation)) {
        return { movedOn: true, members: 0, created: 0, lastUserId: null };
      }
      const google = target.platform === 'google';
      // One statement per batch (data-modifying CTEs): the batch's members by keyset, their credentials (new ones
      // from RETURNING, existing ones from the table), kept preferences re-linked, missing Google defaults added.
      const [result] = await tx.$queryRaw<{ members: number; created: number; last: number | null }[]>`
        WITH members AS (
          SELECT u.id, lower(u.email) AS email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
          WHERE m."teamId" = ${target.organizationId} AND m.accepted = true
            AND lower(split_part(u.email, '@', 2)) = ${target.domain} AND u.id > ${afterUserId}
            ${onlyUserId === undefined ? Prisma.empty : Prisma.sql`AND u.id = ${onlyUserId}`}
          ORDER BY u.id LIMIT ${limit}
        ), inserted AS (
          INSERT INTO "Credential" (type, "appId", "userId", "delegationCredentialId", "syncState")
          SELECT ${app.type}, ${app.appId}, id, ${dc}::uuid, 'PENDING' FROM members
          ON CONFLICT ("userId", "delegationCredentialId") DO NOTHING
          RETURNING id, "userId"
        ), creds AS (
          SELECT i.id, i."userId", mb.email FROM inserted i JOIN members mb ON mb.id = i."userId"
          UNION ALL
          SELECT c.id, c."userId", mb.email FROM "Credential" c JOIN members mb ON mb.id = c."userId"
          WHERE c."delegationCredentialId" = ${dc}::uuid
        ), relinked_selected AS (
          UPDATE "SelectedCalendar" s SET "credentialId" = c.id, "delegationCredentialId" = ${dc}::uuid, "updatedAt" = now()
          FROM creds c
          WHERE s."userId" = c."userId" AND s.integration = ${app.integration} AND s."credentialId" IS NULL
            AND (s."delegationCredentialId" = ${dc}::uuid OR s."delegationCredentialId" IS NULL)
          RETURNING s.id
        ), relinked_destination AS (
          UPDATE "DestinationCalendar" d SET "credentialId" = c.id, "delegationCredentialId" = ${dc}::uuid, "updatedAt" = now()
          FROM creds c
          WHERE d."userId" = c."userId" AND d.integration = ${app.integration} AND d."credentialId" IS NULL
            AND (d."delegationCredentialId" = ${dc}::uuid OR d."delegationCredentialId" IS NULL)
          RETURNING d.id
        ), selected AS (
          INSERT INTO "SelectedCalendar" ("userId", integration, "externalId", "credentialId", "delegationCredentialId")
          SELECT c."userId", ${app.integration}, c.email, c.id, ${dc}::uuid FROM creds c
          WHERE ${google} AND NOT EXISTS (
            SELECT 1 FROM "SelectedCalendar" s WHERE s."userId" = c."userId" AND s.integration = ${app.integration})
          ON CONFLICT ("userId", integration, "externalId") DO NOTHING
          RETURNING id
        ), destination AS (
          INSERT INTO "DestinationCalendar" ("userId", integration, "externalId", "primaryEmail", "credentialId", "delegationCredentialId")
          SELECT c."userId", ${app.integration}, c.email, c.email, c.id, ${dc}::uuid FROM creds c
          WHERE ${google}
          ON CONFLICT ("userId") DO NOTHING
          RETURNING id
        )
        SELECT (SELECT count(*)::int FROM members) AS members, (SELECT count(*)::int FROM inserted) AS created,
               (SELECT max(id) FROM members) AS last,
               (SELECT count(*)::int FROM relinked_selected) + (SELECT count(*)::int FROM relinked_destination)
                 + (SELECT count(*)::int FROM selected) + (SELECT count(*)::int FROM destination) AS preferences`;
      return { movedOn: false, members: result.members, created: result.created, lastUserId: result.last };
    });
  }

  /** Microsoft: default preferences once the primary calendar id is known (after verification). */
  async ensurePrimaryPreferences(
    dc: string,
    userId: number,
    integration: string,
    externalId: string,
    email: string,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const credential = await tx.credential.findUnique({
        where: { userId_delegationCredentialId: { userId, delegationCredentialId: dc } },
      });
      if (!credential) return;
      await tx.$executeRaw`
        INSERT INTO "SelectedCalendar" ("userId", integration, "externalId", "credentialId", "delegationCredentialId")
        SELECT ${userId}, ${integration}, ${externalId}, ${credential.id}, ${dc}::uuid
        WHERE NOT EXISTS (SELECT 1 FROM "SelectedCalendar" s WHERE s."userId" = ${userId} AND s.integration = ${integration})
        ON CONFLICT ("userId", integration, "externalId") DO NOTHING`;
      await tx.$executeRaw`
        INSERT INTO "DestinationCalendar" ("userId", integration, "externalId", "primaryEmail", "credentialId", "delegationCredentialId")
        VALUES (${userId}, ${integration}, ${externalId}, ${email}, ${credential.id}, ${dc}::uuid)
        ON CONFLICT ("userId") DO NOTHING`;
    });
  }

  /**
   * Removes up to `limit` delegated member credentials of a disabled (or deleting) delegation credential.
   * Preferences stay (their foreign keys are set null). Returns null when the credential is enabled again.
   */
  removeBatch(dc: string, limit: number): Promise<number | null> {
    return this.prisma.$transaction(async (tx) => {
      const state = await lockMembers(tx, dc);
      if (state?.enabled) return null;
      return tx.$executeRaw`
        DELETE FROM "Credential" WHERE id IN (
          SELECT id FROM "Credential" WHERE "delegationCredentialId" = ${dc}::uuid ORDER BY id LIMIT ${limit})`;
    });
  }

  /** Removes one member's delegated credentials of the organization's delegation credentials, except `keep`. */
  removeMember(
    organizationId: number,
    userId: number,
    keepDelegationCredentialId: string | null,
  ): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "Credential" c USING "DelegationCredential" d
      WHERE c."delegationCredentialId" = d.id AND d."organizationId" = ${organizationId} AND c."userId" = ${userId}
        ${keepDelegationCredentialId ? Prisma.sql`AND d.id <> ${keepDelegationCredentialId}::uuid` : Prisma.empty}`;
  }

  /** Members of a delegation credential still pending verification, in user id order after `afterUserId`. */
  async pendingUserIds(dc: string, afterUserId: number, limit: number): Promise<number[]> {
    const rows = await this.prisma.credential.findMany({
      where: { delegationCredentialId: dc, syncState: 'PENDING', userId: { gt: afterUserId } },
      orderBy: { userId: 'asc' },
      take: limit,
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }

  /** The member's email if they have an accepted membership in the organization. */
  async findAcceptedMembership(organizationId: number, userId: number): Promise<{ email: string } | null> {
    const membership = await this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId: organizationId } },
      select: { accepted: true, user: { select: { email: true } } },
    });
    return membership?.accepted ? { email: membership.user.email } : null;
  }

  /** Verified: connected, error cleared, nothing scheduled, the failure streak reset. */
  async markConnected(dc: string, userId: number): Promise<void> {
    await this.prisma.credential.updateMany({
      where: { delegationCredentialId: dc, userId },
      data: {
        syncState: 'CONNECTED',
        lastError: Prisma.DbNull,
        lastCheckedAt: new Date(),
        attempts: { increment: 1 },
        consecutiveFailures: 0,
        nextCheckAt: null,
      },
    });
  }

  /**
   * A member-scope failure of one member. `changed` is true when the state changed to FAILING (or the error type
   * changed), so the error is reported once, not on every retry. The member's re-check is scheduled
   * (`nextCheckAtMs`, epoch ms) when the state changed — after `backoff.minSeconds` — and, with `reschedule` (a
   * check that failed again), after `minSeconds · 2^(failures − 1)` capped at `maxSeconds`; a live call failing the
   * same way again leaves the schedule alone (`nextCheckAtMs` null).
   */
  async markFailing(
    dc: string,
    userId: number,
    error: StoredMemberError,
    options: { reschedule: boolean; backoff: { minSeconds: number; maxSeconds: number } },
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<{ changed: boolean; nextCheckAtMs: number | null }> {
    const lastError = JSON.stringify(error);
    const { minSeconds, maxSeconds } = options.backoff;
    // One conditional statement: of two concurrent reports of the same failure (a live call and a verification
    // job), only the first changes the state, so the error is reported once.
    const [changed] = await db.$queryRaw<{ nextCheckAtMs: number }[]>`
      UPDATE "Credential" SET "syncState" = 'FAILING', "lastError" = ${lastError}::jsonb, "lastCheckedAt" = ${NOW},
        attempts = attempts + 1, "updatedAt" = ${NOW}, "consecutiveFailures" = 1,
        "nextCheckAt" = ${NOW} + make_interval(secs => ${minSeconds})
      WHERE "delegationCredentialId" = ${dc}::uuid AND "userId" = ${userId}
        AND NOT ("syncState" IS NOT DISTINCT FROM 'FAILING' AND "lastError"->>'type' IS NOT DISTINCT FROM ${error.type})
      RETURNING (EXTRACT(EPOCH FROM "nextCheckAt") * 1000)::float8 AS "nextCheckAtMs"`;
    if (changed) return { changed: true, nextCheckAtMs: changed.nextCheckAtMs };
    if (!options.reschedule) {
      await db.credential.updateMany({
        where: { delegationCredentialId: dc, userId },
        data: { lastError: { ...error }, lastCheckedAt: new Date(), attempts: { increment: 1 } },
      });
      return { changed: false, nextCheckAtMs: null };
    }
    const [rescheduled] = await db.$queryRaw<{ nextCheckAtMs: number }[]>`
      UPDATE "Credential" SET "lastError" = ${lastError}::jsonb, "lastCheckedAt" = ${NOW},
        attempts = attempts + 1, "updatedAt" = ${NOW}, "consecutiveFailures" = "consecutiveFailures" + 1,
        "nextCheckAt" = ${NOW} + make_interval(secs =>
          least(${minSeconds}::float8 * power(2, least("consecutiveFailures", 30)), ${maxSeconds}::float8))
      WHERE "delegationCredentialId" = ${dc}::uuid AND "userId" = ${userId} AND "syncState" = 'FAILING'
      RETURNING (EXTRACT(EPOCH FROM "nextCheckAt") * 1000)::float8 AS "nextCheckAtMs"`;
    return { changed: false, nextCheckAtMs: rescheduled?.nextCheckAtMs ?? null };
  }

  async recordTransientError(dc: string, userId: number, error: StoredMemberError): Promise<void> {
    await this.prisma.credential.updateMany({
      where: { delegationCredentialId: dc, userId },
      data: { lastError: { ...error }, lastCheckedAt: new Date(), attempts: { increment: 1 } },
    });
  }

  findMemberCredential(dc: string, userId: number) {
    return this.prisma.credential.findUnique({
      where: { userId_delegationCredentialId: { userId, delegationCredentialId: dc } },
      include: { user: { select: { id: true, email: true } } },
    });
  }

  /** Member counts of a delegation credential: matching accepted members, and their sync states (one statement). */
  async counts(
    target: ProvisionTarget,
  ): Promise<{ matching: number; connected: number; pending: number; failing: number; blocked: number }> {
    const [row] = await this.prisma.$queryRaw<
      { matching: number; connected: number; pending: number; failing: number; blocked: number }[]
    >`
      SELECT
        (SELECT count(*)::int FROM "Membership" m JOIN "User" u ON u.id = m."userId"
         WHERE m."teamId" = ${target.organizationId} AND m.accepted = true
           AND lower(split_part(u.email, '@', 2)) = ${target.domain}) AS matching,
        count(*) FILTER (WHERE c."syncState" = 'CONNECTED')::int AS connected,
        count(*) FILTER (WHERE c."syncState" = 'PENDING')::int AS pending,
        count(*) FILTER (WHERE c."syncState" = 'FAILING')::int AS failing,
        count(*) FILTER (WHERE c."syncState" = 'BLOCKED')::int AS blocked
      FROM "Credential" c WHERE c."delegationCredentialId" = ${target.id}::uuid`;
    return row;
  }

  /**
   * Preflight: up to `limit` accepted members whose email domain is the credential's, picked at random so repeated
   * runs cover different members, and how many match in all. Read-only.
   */
  async sampleMatchingMembers(
    target: Pick<ProvisionTarget, 'organizationId' | 'domain'>,
    limit: number,
  ): Promise<{ matching: number; members: { userId: number; email: string }[] }> {
    const rows = await this.prisma.$queryRaw<{ userId: number; email: string; matching: bigint }[]>`
      SELECT u.id AS "userId", u.email, count(*) OVER () AS matching
      FROM "Membership" m JOIN "User" u ON u.id = m."userId"
      WHERE m."teamId" = ${target.organizationId} AND m.accepted = true
        AND lower(split_part(u.email, '@', 2)) = ${target.domain}
      ORDER BY random() LIMIT ${limit}`;
    return {
      matching: rows.length ? Number(rows[0].matching) : 0,
      members: rows.map((r) => ({ userId: r.userId, email: r.email })),
    };
  }

  /** A page of a delegation credential's members with their user (one statement: a join, not a query per relation). */
  listMembers(dc: string, take: number, skip: number) {
    return this.prisma.credential.findMany({
      relationLoadStrategy: 'join',
      where: { delegationCredentialId: dc },
      orderBy: { userId: 'asc' },
      take,
      skip,
      select: {
        id: true,
        userId: true,
        syncState: true,
        lastError: true,
        lastCheckedAt: true,
        attempts: true,
        nextCheckAt: true,
        user: { select: { email: true, name: true } },
      },
    });
  }
}
