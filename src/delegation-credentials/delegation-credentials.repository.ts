import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KeyEncryptionService } from '../crypto/key-encryption.service';
import { reencryptRows } from '../crypto/reencrypt';
import { type AuditOutcome, Prisma } from '../generated/prisma/client';
import { recordIntent } from '../jobs/job-intents';
import { JOB } from '../jobs/jobs.types';
import { makeUnhealthyMembersDue } from '../lifecycle/credential-health.repository';
import { preparedQuery } from '../prisma/prepared-query';
import { PrismaService } from '../prisma/prisma.service';
import type { DelegatedCredential } from '../providers/provider.types';
import type { ParsedServiceAccountKey } from './service-account-key';

const withPlatform = { workspacePlatform: { select: { name: true, slug: true } } } as const;
export type CredentialRecord = Prisma.DelegationCredentialGetPayload<{ include: typeof withPlatform }>;

/**
 * Audit actions: the admin's (CREATE … DELETE, RESYNC) and the health state machine's own transitions (FAILING,
 * RECOVERED; no actor).
 */
export const AUDIT_ACTIONS = [
  'CREATE',
  'ENABLE',
  'DISABLE',
  'ROTATE_KEY',
  'VERIFY',
  'DELETE',
  'RESYNC',
  'FAILING',
  'RECOVERED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface StoredProviderError {
  type: string;
  message: string;
  at: string;
}

/**
 * The audit row of an admin's state change: written by the repository method that makes the change, in its
 * transaction (the change, its audit row and its job intents commit together or not at all). Outcome SUCCESS.
 */
export interface AuditNote {
  actorUserId: number;
  action: AuditAction;
  details?: Record<string, unknown>;
}

/** Thrown inside enable() when another organization has this domain enabled (checked under a domain lock). */
export class DomainEnabledElsewhereError extends Error {}

/** A CredentialRecord as one flat row (the platform's name and slug as columns). */
type CredentialRow = Omit<CredentialRecord, 'workspacePlatform'> & {
  platformName: string;
  platformSlug: string;
};

/** Every column of a CredentialRecord, from `d` (DelegationCredential) joined to `p` (WorkspacePlatform). */
const RECORD_COLUMNS = `
  d.id::text AS id, d."organizationId", d."workspacePlatformId", d.domain, d."encryptedKey", d."keyVersion",
  d."clientId", d.enabled, d.status::text AS status, d.generation,
  d."lastEnabledAt" AT TIME ZONE 'UTC' AS "lastEnabledAt", d."lastDisabledAt" AT TIME ZONE 'UTC' AS "lastDisabledAt",
  d."lastVerifiedAt" AT TIME ZONE 'UTC' AS "lastVerifiedAt", d."lastError", d."enabledByUserId",
  d."createdAt" AT TIME ZONE 'UTC' AS "createdAt", d."updatedAt" AT TIME ZONE 'UTC' AS "updatedAt",
  p.name AS "platformName", p.slug AS "platformSlug"`;

/** The admin API's reads of every request (GET one, GET list): prepared statements, no Prisma query building. */
const FIND_IN_ORG = preparedQuery<CredentialRow, [id: string, organizationId: number]>(
  'dc_find_in_org',
  `SELECT ${RECORD_COLUMNS}
   FROM "DelegationCredential" d JOIN "WorkspacePlatform" p ON p.id = d."workspacePlatformId"
   WHERE d.id = $1::uuid AND d."organizationId" = $2`,
);
const LIST_IN_ORG = preparedQuery<CredentialRow, [organizationId: number, take: number, skip: number]>(
  'dc_list_in_org',
  `SELECT ${RECORD_COLUMNS}
   FROM "DelegationCredential" d JOIN "WorkspacePlatform" p ON p.id = d."workspacePlatformId"
   WHERE d."organizationId" = $1
   ORDER BY d."createdAt" ASC, d.id ASC
   LIMIT $2 OFFSET $3`,
);

function toRecord({ platformName, platformSlug, ...row }: CredentialRow): CredentialRecord {
  return { ...row, workspacePlatform: { name: platformName, slug: platformSlug } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Owns every Prisma access to delegation credentials and is the only code that encrypts or decrypts their keys.
 * Reads never return key material unless asked for a DelegatedCredential (provider calls only).
 */
@Injectable()
export class DelegationCredentialsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly crypto: KeyEncryptionService,
  ) {}

  /** Creates the credential (disabled) with its CREATE audit row, in one transaction. */
  async create(
    input: {
      organizationId: number;
      workspacePlatformId: number;
      domain: string;
      key: ParsedServiceAccountKey;
    },
    audit: AuditNote,
  ): Promise<CredentialRecord> {
    const id = randomUUID();
    const sealed = this.crypto.seal(input.key.key, id);
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.delegationCredential.create({
        data: {
          id,
          organizationId: input.organizationId,
          workspacePlatformId: input.workspacePlatformId,
          domain: input.domain,
          encryptedKey: sealed.ciphertext,
          keyVersion: sealed.keyVersion,
          clientId: input.key.key.client_id,
        },
        include: withPlatform,
      });
      await this.writeAudit(tx, created, audit);
      return created;
    });
  }

  /** Scoped to the organization: another org's credential is indistinguishable from a missing one. */
  async findInOrg(organizationId: number, id: string): Promise<CredentialRecord | null> {
    if (!UUID.test(id)) return null;
    const [row] = await this.prisma.run(FIND_IN_ORG, [id, organizationId]);
    return row ? toRecord(row) : null;
  }

  findById(id: string): Promise<CredentialRecord | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.prisma.delegationCredential.findUnique({ where: { id }, include: withPlatform });
  }

  /** The enabled credential of an organization for an email domain (resolution checks `enabled` on every read). */
  findEnabledForOrgDomain(organizationId: number, domain: string): Promise<CredentialRecord | null> {
    if (!domain) return Promise.resolve(null);
    return this.prisma.delegationCredential.findFirst({
      where: { organizationId, domain, enabled: true },
      include: withPlatform,
    });
  }

  async listInOrg(organizationId: number, take: number, skip: number): Promise<CredentialRecord[]> {
    return (await this.prisma.run(LIST_IN_ORG, [organizationId, take, skip])).map(toRecord);
  }

  async existsInOrgForDomain(organizationId: number, domain: string): Promise<boolean> {
    return (await this.prisma.delegationCredential.count({ where: { organizationId, domain } })) > 0;
  }

  async isEnabledElsewhere(
    domain: string,
    organizationId: number,
    tx: Prisma.TransactionClient = this.prisma,
  ): Promise<boolean> {
    return (
      (await tx.delegationCredential.count({ where: { domain, enabled: true, NOT: { organizationId } } })) > 0
    );
  }

  /** Decrypts the stored key for a provider call (never for a response). */
  toDelegated(record: CredentialRecord): DelegatedCredential {
    const key = this.crypto.open<Record<string, string>>(
      { ciphertext: record.encryptedKey, keyVersion: record.keyVersion },
      record.id,
    );
    return this.delegatedFrom(record.id, record.workspacePlatform.slug, key);
  }

  /** A DelegatedCredential for a key that is not stored yet (checked before a rotation is accepted). */
  candidate(record: CredentialRecord, key: ParsedServiceAccountKey): DelegatedCredential {
    return this.delegatedFrom(record.id, key.platform, key.key as unknown as Record<string, string>);
  }

  private delegatedFrom(id: string, platform: string, key: Record<string, string>): DelegatedCredential {
    const keyFingerprint = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
    if (platform === 'google') {
      return {
        id,
        keyFingerprint,
        platform,
        key: { private_key: key.private_key, client_email: key.client_email, client_id: key.client_id },
      };
    }
    return {
      id,
      keyFingerprint,
      platform: 'office365',
      key: { private_key: key.private_key, tenant_id: key.tenant_id, client_id: key.client_id },
    };
  }

  private keyData(id: string, key: ParsedServiceAccountKey) {
    const sealed = this.crypto.seal(key.key, id);
    return { encryptedKey: sealed.ciphertext, keyVersion: sealed.keyVersion, clientId: key.key.client_id };
  }

  /**
   * Enables a disabled credential (optionally with a new, already checked key) in one transaction holding a lock on
   * the domain, so two organizations cannot enable the same domain concurrently, and records the provisioning job
   * (an intent, committed with the change). Returns null when the credential was not disabled any more, or its key
   * changed while it was being checked: the caller re-reads to tell which.
   */
  async enable(
    record: CredentialRecord,
    newKey: ParsedServiceAccountKey | null,
    now: Date,
    audit: AuditNote,
  ): Promise<CredentialRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`delegation-domain:${record.domain}`}))`;
      if (await this.isEnabledElsewhere(record.domain, record.organizationId, tx))
        throw new DomainEnabledElsewhereError();
      const { count } = await tx.delegationCredential.updateMany({
        where: {
          id: record.id,
          enabled: false,
          status: { not: 'DELETING' },
          // Without a new key, enable only the key that was checked (not one a concurrent request stored since).
          ...(newKey ? {} : { encryptedKey: record.encryptedKey }),
        },
        data: {
          ...(newKey ? this.keyData(record.id, newKey) : {}),
          enabled: true,
          status: 'ACTIVE',
          generation: { increment: 1 },
          lastEnabledAt: now,
          lastVerifiedAt: now,
          lastError: Prisma.DbNull,
          enabledByUserId: audit.actorUserId,
        },
      });
      if (!count) return null;
      const enabled = await tx.delegationCredential.findUniqueOrThrow({
        where: { id: record.id },
        include: withPlatform,
      });
      await recordIntent(tx, JOB.PROVISION_CREDENTIAL, {
        credentialId: enabled.id,
        generation: enabled.generation,
      });
      await this.writeAudit(tx, enabled, {
        ...audit,
        details: { ...audit.details, generation: enabled.generation },
      });
      return enabled;
    });
  }

  /**
   * Disables an enabled credential (optionally storing a new key unchecked) and records the cleanup job, in one
   * transaction. Null when it was not enabled.
   */
  async disable(
    record: CredentialRecord,
    newKey: ParsedServiceAccountKey | null,
    now: Date,
    audit: AuditNote,
  ): Promise<CredentialRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.delegationCredential.updateMany({
        where: { id: record.id, enabled: true },
        data: {
          ...(newKey ? this.keyData(record.id, newKey) : {}),
          enabled: false,
          status: 'DISABLED',
          lastDisabledAt: now,
        },
      });
      if (!count) return null;
      const disabled = await tx.delegationCredential.findUniqueOrThrow({
        where: { id: record.id },
        include: withPlatform,
      });
      await recordIntent(tx, JOB.CLEANUP_CREDENTIAL, {
        credentialId: disabled.id,
        generation: disabled.generation,
      });
      await this.writeAudit(tx, disabled, audit);
      return disabled;
    });
  }

  /**
   * The state a write was decided on: it only applies while the credential is still in it (same enabled flag, same
   * generation, not being deleted). A concurrent enable, disable or delete makes it match nothing.
   */
  private unchangedSince(record: CredentialRecord): Prisma.DelegationCredentialWhereInput {
    return {
      id: record.id,
      enabled: record.enabled,
      generation: record.generation,
      status: { not: 'DELETING' },
    };
  }

  /**
   * Replaces the key; `verifiedAt` when the new key was just checked (enabled credentials): the credential is then
   * active, and its failing and blocked members are due for re-verification with the new key (in the same
   * transaction, with the reverify-members job's intent). Null when the credential changed meanwhile (nothing
   * written): the caller answers 409 rather than put an unchecked key on an enabled one.
   */
  async replaceKey(
    record: CredentialRecord,
    key: ParsedServiceAccountKey,
    verifiedAt: Date | null,
    audit: AuditNote,
  ): Promise<CredentialRecord | null> {
    const replaced = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.delegationCredential.updateMany({
        where: this.unchangedSince(record),
        data: {
          ...this.keyData(record.id, key),
          ...(verifiedAt
            ? {
                lastVerifiedAt: verifiedAt,
                lastError: Prisma.DbNull,
                status: record.enabled ? 'ACTIVE' : record.status,
              }
            : {}),
        },
      });
      if (count && verifiedAt && record.enabled) {
        await makeUnhealthyMembersDue(tx, record.id);
        // The new key passed the check: members that failed (or were blocked by the old key's failure) are tried again.
        await recordIntent(tx, JOB.REVERIFY_MEMBERS, {
          credentialId: record.id,
          generation: record.generation,
          round: verifiedAt.getTime(),
        });
      }
      if (count) await this.writeAudit(tx, record, audit);
      return count > 0;
    });
    return replaced ? this.findById(record.id) : null;
  }

  /**
   * Disables (if needed) and marks the credential for deletion, with the delete job's intent (the job removes the row
   * after cleanup) and the DELETE audit row. Already deleting: records the intent again (same job id: harmless) and
   * changes nothing else (no second audit row).
   */
  markDeleting(record: CredentialRecord, now: Date, audit: AuditNote): Promise<CredentialRecord> {
    return this.prisma.$transaction(async (tx) => {
      const deleting =
        record.status === 'DELETING'
          ? await tx.delegationCredential.findUniqueOrThrow({
              where: { id: record.id },
              include: withPlatform,
            })
          : await tx.delegationCredential.update({
              where: { id: record.id },
              data: {
                enabled: false,
                status: 'DELETING',
                ...(record.enabled ? { lastDisabledAt: now } : {}),
              },
              include: withPlatform,
            });
      await recordIntent(tx, JOB.DELETE_CREDENTIAL, { credentialId: record.id });
      if (record.status !== 'DELETING') await this.writeAudit(tx, record, audit);
      return deleting;
    });
  }

  /**
   * Records the admin resync job (see DelegationCredentialsService.resync) with its RESYNC audit row. Returns its job
   * id.
   */
  requestResync(record: CredentialRecord, requestedAt: Date, audit: AuditNote): Promise<string> {
    return this.prisma.$transaction(async (tx) => {
      const jobId = await recordIntent(tx, JOB.RESYNC_CREDENTIAL, {
        credentialId: record.id,
        generation: record.generation,
        requestedAt: requestedAt.getTime(),
      });
      await this.writeAudit(tx, record, audit);
      return jobId;
    });
  }

  async deleteIfDeleting(id: string): Promise<boolean> {
    const { count } = await this.prisma.delegationCredential.deleteMany({
      where: { id, status: 'DELETING' },
    });
    return count > 0;
  }

  /** Re-encrypts every key not yet under the newest master key. Returns how many rows were rewritten. */
  reencryptAll(): Promise<number> {
    return reencryptRows<string>(this.crypto, {
      stale: async (currentVersion, afterId, limit) =>
        (
          await this.prisma.delegationCredential.findMany({
            where: { keyVersion: { not: currentVersion }, ...(afterId ? { id: { gt: afterId } } : {}) },
            select: { id: true, encryptedKey: true, keyVersion: true },
            orderBy: { id: 'asc' },
            take: limit,
          })
        ).map((r) => ({ id: r.id, ciphertext: r.encryptedKey, keyVersion: r.keyVersion })),
      associatedData: (id) => id,
      replace: async (row, next) =>
        (
          await this.prisma.delegationCredential.updateMany({
            where: { id: row.id, keyVersion: row.keyVersion, encryptedKey: row.ciphertext },
            data: { encryptedKey: next.ciphertext, keyVersion: next.keyVersion },
          })
        ).count > 0,
    });
  }

  /** The SUCCESS audit row of a state change, in the transaction `tx` that makes it. */
  private async writeAudit(
    tx: Prisma.TransactionClient,
    record: { id: string; organizationId: number },
    audit: AuditNote,
  ): Promise<void> {
    await tx.delegationCredentialAuditEvent.create({
      data: {
        delegationCredentialId: record.id,
        organizationId: record.organizationId,
        actorUserId: audit.actorUserId,
        action: audit.action,
        outcome: 'SUCCESS',
        details: audit.details as Prisma.InputJsonObject | undefined,
      },
    });
  }

  /**
   * An audit row of its own: attempts that changed nothing (a refused check, a verification). State changes write
   * theirs in their own transaction (AuditNote).
   */
  audit(entry: {
    credentialId: string;
    organizationId: number;
    actorUserId: number | null;
    action: AuditAction;
    outcome: AuditOutcome;
    details?: Prisma.InputJsonValue;
  }): Promise<unknown> {
    return this.prisma.delegationCredentialAuditEvent.create({
      data: {
        delegationCredentialId: entry.credentialId,
        organizationId: entry.organizationId,
        actorUserId: entry.actorUserId,
        action: entry.action,
        outcome: entry.outcome,
        details: entry.details,
      },
    });
  }

  listAudit(organizationId: number, credentialId: string, take: number, skip: number) {
    if (!UUID.test(credentialId)) return Promise.resolve([]);
    return this.prisma.delegationCredentialAuditEvent.findMany({
      where: { organizationId, delegationCredentialId: credentialId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
      skip,
    });
  }
}
