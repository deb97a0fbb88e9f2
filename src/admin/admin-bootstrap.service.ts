import { Injectable } from '@nestjs/common';
import { generateApiKey, generateSecret, sha256Hex } from '../auth/secrets';
import { AppConfigService } from '../config/app-config.service';
import { PrismaService } from '../prisma/prisma.service';

export interface IssuedCredentials {
  organizationId?: number;
  userId: number;
  email: string;
  apiKey: string;
  oauthClientId?: string;
  oauthClientSecret?: string;
}

export class BootstrapError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SLUG = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

/** Operator bootstrap (CLI): organizations, admins and API keys. Keys are returned once and stored as hashes. */
@Injectable()
export class AdminBootstrapService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfigService,
  ) {}

  /**
   * Creates (or finds, by slug) an organization and issues a fresh API key for the given admin. The first one becomes
   * the organization's accepted OWNER (an organization always keeps one); later ones, for an organization that
   * already has an owner, are accepted ADMINs.
   */
  async createOrg(input: {
    slug: string;
    adminEmail: string;
    platform: boolean;
  }): Promise<IssuedCredentials> {
    if (!SLUG.test(input.slug))
      throw new BootstrapError('--slug must be lowercase letters, digits and hyphens');
    const email = this.email(input.adminEmail);
    return this.prisma.$transaction(async (tx) => {
      const org = await tx.team.upsert({
        where: { slug: input.slug },
        update: {},
        create: {
          slug: input.slug,
          name: input.slug,
          isOrganization: true,
          isPlatform: input.platform,
          platformBillingPlan: input.platform ? 'SCALE' : null,
          adminApiEnabled: true,
        },
      });
      if (!org.isOrganization)
        throw new BootstrapError(`team ${input.slug} exists and is not an organization`);
      // The operator vouches for the admin's address (a verified email is needed to enable delegation).
      const user = await tx.user.upsert({
        where: { email },
        update: { emailVerified: new Date() },
        create: { email, name: email.split('@')[0], emailVerified: new Date() },
      });
      const hasOwner =
        (await tx.membership.count({ where: { teamId: org.id, role: 'OWNER', accepted: true } })) > 0;
      await tx.membership.upsert({
        where: { userId_teamId: { userId: user.id, teamId: org.id } },
        update: hasOwner ? {} : { role: 'OWNER', accepted: true },
        create: { userId: user.id, teamId: org.id, role: hasOwner ? 'ADMIN' : 'OWNER', accepted: true },
      });
      const { key, hashedKey } = generateApiKey(this.config.apiKeyPrefix);
      await tx.apiKey.create({
        data: { hashedKey, userId: user.id, teamId: org.id, note: 'cli create-org' },
      });
      const issued: IssuedCredentials = { organizationId: org.id, userId: user.id, email, apiKey: key };
      if (org.isPlatform) {
        const secret = generateSecret();
        const client = await tx.platformOAuthClient.create({
          data: {
            id: `oc_${generateSecret(12)}`,
            name: `${org.slug} client`,
            secretHash: sha256Hex(secret),
            organizationId: org.id,
          },
        });
        Object.assign(issued, { oauthClientId: client.id, oauthClientSecret: secret });
      }
      return issued;
    });
  }

  /** Issues an API key for a user (created if missing), optionally tied to an organization. */
  async createApiKey(input: { email: string; orgId?: number }): Promise<IssuedCredentials> {
    const email = this.email(input.email);
    if (input.orgId !== undefined) {
      const org = await this.prisma.team.findUnique({ where: { id: input.orgId } });
      if (!org?.isOrganization) throw new BootstrapError(`organization ${input.orgId} not found`);
    }
    const user = await this.prisma.user.upsert({
      where: { email },
      update: {},
      create: { email, name: email.split('@')[0] },
    });
    const { key, hashedKey } = generateApiKey(this.config.apiKeyPrefix);
    await this.prisma.apiKey.create({
      data: { hashedKey, userId: user.id, teamId: input.orgId, note: 'cli create-api-key' },
    });
    return { organizationId: input.orgId, userId: user.id, email, apiKey: key };
  }

  private email(value: string): string {
    const email = value.trim().toLowerCase();
    if (!EMAIL.test(email))
      throw new BootstrapError('an email address is required (--email / --admin-email)');
    return email;
  }
}
