import { Injectable, Logger } from '@nestjs/common';
import { MAX_INT4 } from '../../common/http/id-param';
import { reencryptRows } from '../../crypto/reencrypt';
import { KeyEncryptionService } from '../../crypto/key-encryption.service';
import type { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

const credentialFields = {
  id: true,
  type: true,
  appId: true,
  userId: true,
  invalid: true,
  delegationCredentialId: true,
  syncState: true,
  encryptedKey: true,
  keyVersion: true,
} as const;
export type CredentialRow = Prisma.CredentialGetPayload<{ select: typeof credentialFields }>;

/** What a manual credential's ciphertext holds: the mailbox it connects and the secret to reach it. */
export interface ManualCredentialKey {
  email: string;
  secret: Record<string, string>;
}

/** Ids from clients may be anything: out-of-range ids are simply not found (never a Prisma error). */
const isDbId = (id: number): boolean => Number.isInteger(id) && id > 0 && id <= MAX_INT4;
/** Associated data of a manual key: a ciphertext copied onto another credential row does not open. */
const keyContext = (id: number): string => `credential:${id}`;

/**
 * Prisma access to members' calendar credentials (delegated rows and manual connections) and the only code that
 * encrypts or decrypts manual credential keys. Reads never return key material to callers except the mailbox.
 */
@Injectable()
export class CalendarCredentialsRepository {
  private readonly logger = new Logger(CalendarCredentialsRepository.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly crypto: KeyEncryptionService,
  ) {}

  /**
   * In one statement: every ENABLED delegation credential for `domain` (the user's email domain) of an organization
   * where the user's membership is accepted, with its workspace platform and the user's delegated Credential of it
   * (null while provisioning has not reached them). Ordered by organization id.
   */
  async delegationsFor(userId: number, domain: string) {
    const rows = await this.prisma.delegationCredential.findMany({
      relationLoadStrategy: 'join',
      where: {
        domain,
        enabled: true,
        organization: { isOrganization: true, memberships: { some: { userId, accepted: true } } },
      },
      include: {
        workspacePlatform: { select: { name: true, slug: true } },
        memberCredentials: {
          where: { userId },
          select: { id: true, type: true, appId: true, syncState: true },
        },
      },
      orderBy: [{ organizationId: 'asc' }, { id: 'asc' }],
    });
    return rows.map(({ memberCredentials, ...record }) => ({ record, member: memberCredentials[0] ?? null }));
  }

  /** Organizations where the user's membership is accepted (delegation covers organization members only). */
  async acceptedOrganizationIds(userId: number): Promise<number[]> {
    const rows = await this.prisma.membership.findMany({
      where: { userId, accepted: true, team: { isOrganization: true } },
      select: { teamId: true },
      orderBy: { teamId: 'asc' },
    });
    return rows.map((r) => r.teamId);
  }

  async isAcceptedMember(userId: number, organizationId: number): Promise<boolean> {
    const membership = await this.prisma.membership.findUnique({
      where: { userId_teamId: { userId, teamId: organizationId } },
      select: { accepted: true },
    });
    return membership?.accepted === true;
  }

  /** A credential of the user (delegated or manual), or null for someone else's / unknown ids. */
  findOwned(userId: number, id: number): Promise<CredentialRow | null> {
    if (!isDbId(id)) return Promise.resolve(null);
    return this.prisma.credential.findFirst({ where: { id, userId }, select: credentialFields });
  }

  listManual(userId: number): Promise<CredentialRow[]> {
    return this.prisma.credential.findMany({
      where: { userId, delegationCredentialId: null },
      select: credentialFields,
      orderBy: { id: 'asc' },
    });
  }

  /** Re-encrypts every manual credential key not yet under the newest master key. Returns how many were rewritten. */
  reencryptManualKeys(): Promise<number> {
    return reencryptRows<number>(this.crypto, {
      stale: async (currentVersion, afterId, limit) =>
        (
          await this.prisma.credential.findMany({
            where: {
              encryptedKey: { not: null },
              keyVersion: { not: currentVersion },
              ...(afterId ? { id: { gt: afterId } } : {}),
            },
            select: { id: true, encryptedKey: true, keyVersion: true },
            orderBy: { id: 'asc' },
            take: limit,
          })
        ).map((r) => ({ id: r.id, ciphertext: r.encryptedKey ?? '', keyVersion: r.keyVersion ?? 0 })),
      associatedData: keyContext,
      replace: async (row, next) =>
        (
          await this.prisma.credential.updateMany({
            where: { id: row.id, keyVersion: row.keyVersion, encryptedKey: row.ciphertext },
            data: { encryptedKey: next.ciphertext, keyVersion: next.keyVersion },
          })
        ).count > 0,
    });
  }

  /** Creates a manual credential; the key is sealed with the new row's id, so both writes share a transaction. */
  createManual(input: {
    userId: number;
    type: string;
    appId: string;
    key: ManualCredentialKey;
  }): Promise<CredentialRow> {
    return this.prisma.$transaction(async (tx) => {
      const { id } = await tx.credential.create({
        data: { userId: input.userId, type: input.type, appId: input.appId },
        select: { id: true },
      });
      const sealed = this.crypto.seal(input.key, keyContext(id));
      return tx.credential.update({
        where: { id },
        data: { encryptedKey: sealed.ciphertext, keyVersion: sealed.keyVersion },
        select: credentialFields,
      });
    });
  }

  /** Deletes a manual credential with the preferences that pointed at it (they would be dangling otherwise). */
  deleteManual(id: number): Promise<CredentialRow> {
    return this.prisma.$transaction(async (tx) => {
      await tx.selectedCalendar.deleteMany({ where: { credentialId: id } });
      await tx.destinationCalendar.deleteMany({ where: { credentialId: id } });
      return tx.credential.delete({ where: { id }, select: credentialFields });
    });
  }

  /** The mailbox of a manual credential (null when its key cannot be opened, e.g. a retired master key). */
  mailboxOf(row: CredentialRow): string | null {
    if (!row.encryptedKey || row.keyVersion === null) return null;
    try {
      const key = this.crypto.open<ManualCredentialKey>(
        { ciphertext: row.encryptedKey, keyVersion: row.keyVersion },
        keyContext(row.id),
      );
      return typeof key.email === 'string' ? key.email.toLowerCase() : null;
    } catch (error) {
      this.logger.warn(`credential ${row.id}: ${(error as Error).message}`);
      return null;
    }
  }
}
