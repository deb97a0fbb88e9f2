import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

/** The platforms this service can delegate for. Seeded idempotently by `npm run seed`. */
export const DEFAULT_WORKSPACE_PLATFORMS = [
  {
    slug: 'google',
    name: 'Google Workspace',
    description: 'Google Calendar and Google Meet through a service account with domain-wide delegation.',
  },
  {
    slug: 'office365',
    name: 'Microsoft 365',
    description:
      'Outlook Calendar and Microsoft Teams through a Microsoft Entra application (client credentials).',
  },
] as const;

@Injectable()
export class WorkspacePlatformsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findBySlug(slug: string) {
    return this.prisma.workspacePlatform.findUnique({ where: { slug } });
  }

  /** Creates missing platforms; never overwrites an operator's changes (e.g. enabled=false). */
  async seedDefaults(): Promise<{ created: string[] }> {
    const created: string[] = [];
    for (const platform of DEFAULT_WORKSPACE_PLATFORMS) {
      const result = await this.prisma.workspacePlatform.createMany({
        data: [{ ...platform, enabled: true }],
        skipDuplicates: true,
      });
      if (result.count) created.push(platform.slug);
    }
    return { created };
  }
}
