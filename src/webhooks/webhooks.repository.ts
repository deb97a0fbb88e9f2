import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { reencryptRows } from '../crypto/reencrypt';
import { KeyEncryptionService } from '../crypto/key-encryption.service';
import type { Webhook } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

export type WebhookRecord = Webhook;

export interface WebhookData {
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  payloadTemplate: string | null;
}

/** `secret`: undefined keeps the stored one, null removes it (deliveries are then unsigned), a string replaces it. */
export type WebhookChanges = Partial<WebhookData> & { secret?: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Owns every Prisma access to org webhooks and is the only code that encrypts or decrypts their signing secrets
 * (AES-256-GCM bound to the webhook id, like service account keys). Only the delivery worker asks for plaintext.
 */
@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly crypto: KeyEncryptionService,
  ) {}

  create(organizationId: number, data: WebhookData, secret: string | null): Promise<WebhookRecord> {
    // The id is chosen before the insert because it is the associated data of the secret's ciphertext.
    const id = randomUUID();
    return this.prisma.webhook.create({
      data: { id, organizationId, ...data, ...this.secretData(id, secret) },
    });
  }

  /** Scoped to the organization: another org's webhook (or a malformed id) is indistinguishable from a missing one. */
  findInOrg(organizationId: number, id: string): Promise<WebhookRecord | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.prisma.webhook.findFirst({ where: { id, organizationId } });
  }

  findById(id: string): Promise<WebhookRecord | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.prisma.webhook.findUnique({ where: { id } });
  }

  listInOrg(organizationId: number, take: number, skip: number): Promise<WebhookRecord[]> {
    return this.prisma.webhook.findMany({
      where: { organizationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      skip,
    });
  }

  /** Null when the webhook was deleted meanwhile (the caller answers 404). */
  async update(record: WebhookRecord, changes: WebhookChanges): Promise<WebhookRecord | null> {
    const { secret, ...data } = changes;
    const { count } = await this.prisma.webhook.updateMany({
      where: { id: record.id, organizationId: record.organizationId },
      data: { ...data, ...(secret === undefined ? {} : this.secretData(record.id, secret)) },
    });
    return count ? this.findById(record.id) : null;
  }

  async delete(record: WebhookRecord): Promise<boolean> {
    const { count } = await this.prisma.webhook.deleteMany({
      where: { id: record.id, organizationId: record.organizationId },
    });
    return count > 0;
  }

  /** The signing secret in plaintext, for signing a delivery only (never for a response or a job payload). */
  openSecret(record: WebhookRecord): string | null {
    if (record.encryptedSecret === null || record.secretKeyVersion === null) return null;
    return this.crypto.open<{ secret: string }>(
      { ciphertext: record.encryptedSecret, keyVersion: record.secretKeyVersion },
      record.id,
    ).secret;
  }

  /** Re-encrypts every signing secret not yet under the newest master key. Returns how many were rewritten. */
  reencryptSecrets(): Promise<number> {
    return reencryptRows<string>(this.crypto, {
      stale: async (currentVersion, afterId, limit) =>
        (
          await this.prisma.webhook.findMany({
            where: {
              encryptedSecret: { not: null },
              secretKeyVersion: { not: currentVersion },
              ...(afterId ? { id: { gt: afterId } } : {}),
            },
            select: { id: true, encryptedSecret: true, secretKeyVersion: true },
            orderBy: { id: 'asc' },
            take: limit,
          })
        ).map((r) => ({
          id: r.id,
          ciphertext: r.encryptedSecret ?? '',
          keyVersion: r.secretKeyVersion ?? 0,
        })),
      associatedData: (id) => id,
      replace: async (row, next) =>
        (
          await this.prisma.webhook.updateMany({
            where: { id: row.id, secretKeyVersion: row.keyVersion, encryptedSecret: row.ciphertext },
            data: { encryptedSecret: next.ciphertext, secretKeyVersion: next.keyVersion },
          })
        ).count > 0,
    });
  }

  private secretData(id: string, secret: string | null) {
    if (secret === null) return { encryptedSecret: null, secretKeyVersion: null };
    const sealed = this.crypto.seal({ secret }, id);
    return { encryptedSecret: sealed.ciphertext, secretKeyVersion: sealed.keyVersion };
  }
}
