import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useTestApp } from './utils/app';

const MIGRATION = path.join(
  __dirname,
  '..',
  'prisma',
  'migrations',
  '20261130070000_org_owner',
  'migration.sql',
);

/**
 * The data migration behind "an organization always has an accepted owner": organizations created before the rule
 * get their oldest accepted admin promoted. Re-running it changes nothing (it only touches ownerless orgs).
 */
describe('migration 20261130070000_org_owner (e2e)', () => {
  const t = useTestApp();
  const role = async (membershipId: number) =>
    (await t.prisma.membership.findUniqueOrThrow({ where: { id: membershipId } })).role;

  it('promotes the oldest accepted ADMIN of each ownerless organization, and nothing else', async () => {
    const { fixtures } = t;
    const ownerless = await fixtures.org();
    const pendingAdmin = await fixtures.membership((await fixtures.user()).id, ownerless.id, 'ADMIN', false);
    const oldest = await fixtures.membership((await fixtures.user()).id, ownerless.id, 'ADMIN', true);
    const younger = await fixtures.membership((await fixtures.user()).id, ownerless.id, 'ADMIN', true);

    const owned = await fixtures.org();
    const owner = await fixtures.membership((await fixtures.user()).id, owned.id, 'OWNER', true);
    const ownedAdmin = await fixtures.membership((await fixtures.user()).id, owned.id, 'ADMIN', true);

    const team = await fixtures.org({ isOrganization: false });
    const teamAdmin = await fixtures.membership((await fixtures.user()).id, team.id, 'ADMIN', true);

    const sql = readFileSync(MIGRATION, 'utf8');
    await t.prisma.$executeRawUnsafe(sql);
    expect(await role(oldest.id)).toBe('OWNER');
    expect(await role(younger.id)).toBe('ADMIN');
    expect(await role(pendingAdmin.id)).toBe('ADMIN');
    expect(await role(owner.id)).toBe('OWNER');
    expect(await role(ownedAdmin.id)).toBe('ADMIN');
    expect(await role(teamAdmin.id)).toBe('ADMIN');

    await t.prisma.$executeRawUnsafe(sql);
    expect(await role(younger.id)).toBe('ADMIN');
  });
});
