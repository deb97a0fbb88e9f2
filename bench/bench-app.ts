import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import type { AuthUser } from '../src/common/http/request-context';
import { DelegationCredentialsService } from '../src/delegation-credentials/delegation-credentials.service';
import { PrismaService } from '../src/prisma/prisma.service';
import { FakeProviderServer } from '../src/sandbox/fake-provider.server';
import { WorkspacePlatformsRepository } from '../src/workspace-platforms/workspace-platforms.repository';

const DOMAIN = 'bench.example';

/** The API's own services (no HTTP) plus the provider fakes, for the benchmark's setup and its enable call. */
export async function startBenchApp() {
  const fake = await FakeProviderServer.start();
  for (const name of ['GOOGLE_API_BASE_URL', 'MICROSOFT_LOGIN_BASE_URL', 'MICROSOFT_GRAPH_BASE_URL']) {
    process.env[name] = fake.url;
  }
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  moduleRef.useLogger(['error']);
  await moduleRef.init();
  const prisma = moduleRef.get(PrismaService);
  const service = moduleRef.get(DelegationCredentialsService);

  return {
    fake,
    /** Seeds the organization, its admin and `members - 1` more accepted members, and a disabled credential. */
    async prepare(members: number) {
      await moduleRef.get(WorkspacePlatformsRepository).seedDefaults();
      const org = await prisma.team.create({
        data: { name: 'bench', slug: 'bench', isOrganization: true, adminApiEnabled: true },
      });
      const adminUser = await prisma.user.create({ data: { email: `admin@${DOMAIN}` } });
      await prisma.membership.create({
        data: { userId: adminUser.id, teamId: org.id, role: 'ADMIN', accepted: true },
      });
      await prisma.$executeRaw`
        WITH u AS (
          INSERT INTO "User" (email, "updatedAt")
          SELECT 'member' || g || '@' || ${DOMAIN}, now() FROM generate_series(1, ${members - 1}) g RETURNING id)
        INSERT INTO "Membership" ("userId", "teamId", role, accepted, "updatedAt")
        SELECT id, ${org.id}, 'MEMBER', true, now() FROM u`;
      await prisma.$executeRaw`ANALYZE`;

      const key = await fake.createGoogleServiceAccount();
      fake.addGoogleUser(adminUser.email);
      fake.authorizeDomainWideDelegation(DOMAIN, key.client_id);
      const actor: AuthUser = {
        id: adminUser.id,
        email: adminUser.email,
        name: null,
        isSystemAdmin: false,
        emailVerified: true,
      };
      const created = await service.create(org.id, actor, {
        workspacePlatformSlug: 'google',
        domain: DOMAIN,
        serviceAccountKey: key,
      });
      return {
        orgId: org.id,
        credentialId: created.id,
        enable: () => service.update(org.id, created.id, actor, { enabled: true }),
      };
    },
    async close() {
      await moduleRef.close();
      await fake.close();
    },
  };
}
