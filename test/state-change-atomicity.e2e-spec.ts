import request from 'supertest';
import { LIFECYCLE_QUEUE } from '../src/jobs/jobs.types';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';
import { jobsWith } from './utils/queue';

/**
 * A state change, its audit row and its job intents commit together or not at all. The failure is injected in
 * PostgreSQL itself: a trigger of this file refuses the audit row of one action for one organization, i.e. a write
 * that fails after the change was made in the same transaction. Before: the change and its job committed, the audit
 * row was written afterwards on its own and its failure only logged (the admin got 200, the audit trail missed it).
 */
describe('State changes are atomic with their audit row and job intents (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    await t.prisma.$executeRawUnsafe(
      `CREATE TABLE IF NOT EXISTS test_refused_audit ("organizationId" int NOT NULL, action text NOT NULL)`,
    );
    await t.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM test_refused_audit r
                   WHERE r."organizationId" = NEW."organizationId" AND r.action = NEW.action::text) THEN
          RAISE EXCEPTION 'audit row refused (injected by the test)';
        END IF;
        RETURN NEW;
      END $$`);
    await t.prisma.$executeRawUnsafe(
      `CREATE OR REPLACE TRIGGER test_refuse_audit BEFORE INSERT ON "DelegationCredentialAuditEvent"
       FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`,
    );
  });
  afterAll(async () => {
    await t.prisma.$executeRawUnsafe(
      `DROP TRIGGER IF EXISTS test_refuse_audit ON "DelegationCredentialAuditEvent"`,
    );
    await t.prisma.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_audit()`);
    await t.prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS test_refused_audit`);
  });

  const refuse = (organizationId: number, action: string) =>
    t.prisma.$executeRaw`INSERT INTO test_refused_audit VALUES (${organizationId}, ${action})`;
  const allow = (organizationId: number) =>
    t.prisma.$executeRaw`DELETE FROM test_refused_audit WHERE "organizationId" = ${organizationId}`;
  const auditActions = async (credentialId: string) =>
    (
      await t.prisma.delegationCredentialAuditEvent.findMany({
        where: { delegationCredentialId: credentialId },
        orderBy: { id: 'asc' },
      })
    ).map((e) => `${e.action}:${e.outcome}`);
  /** Job intents still pending plus jobs already queued for the credential (no worker runs here). */
  const workFor = async (credentialId: string) => {
    await t.intentsDispatched();
    const jobs = await jobsWith(t.queue(LIFECYCLE_QUEUE), 'credentialId', credentialId);
    return jobs.map((job) => job.name).sort();
  };

  it('enable: the audit row failing rolls back the enable and its provisioning intent; then it commits all three', async () => {
    const o = await delegatedOrg(t, 'google', { enabled: false });
    const url = `/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`;
    const before = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: o.dcId } });
    await refuse(o.org.id, 'ENABLE');

    const refused = await http().patch(url).set(o.auth).send({ enabled: true });
    expect(refused.status).toBe(500);
    expect(refused.body.status).toBe('error');
    const after = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: o.dcId } });
    expect({ enabled: after.enabled, status: after.status, generation: after.generation }).toEqual({
      enabled: false,
      status: before.status,
      generation: before.generation,
    });
    expect(await workFor(o.dcId)).toEqual([]);
    expect(await auditActions(o.dcId)).toEqual(['CREATE:SUCCESS']);

    await allow(o.org.id);
    await http().patch(url).set(o.auth).send({ enabled: true }).expect(200);
    const enabled = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: o.dcId } });
    expect({ enabled: enabled.enabled, generation: enabled.generation }).toEqual({
      enabled: true,
      generation: before.generation + 1,
    });
    expect(await workFor(o.dcId)).toEqual(['provision-credential']);
    expect(await auditActions(o.dcId)).toEqual(['CREATE:SUCCESS', 'ENABLE:SUCCESS']);
  });

  it('disable and delete: rolled back with their intents when the audit row fails', async () => {
    const o = await delegatedOrg(t, 'google');
    const url = `/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`;
    const jobsBefore = await workFor(o.dcId);
    await refuse(o.org.id, 'DISABLE');
    await refuse(o.org.id, 'DELETE');

    expect((await http().patch(url).set(o.auth).send({ enabled: false })).status).toBe(500);
    expect((await http().delete(url).set(o.auth)).status).toBe(500);
    const row = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: o.dcId } });
    expect({ enabled: row.enabled, status: row.status }).toEqual({ enabled: true, status: 'ACTIVE' });
    expect(await workFor(o.dcId)).toEqual(jobsBefore);
    expect(await auditActions(o.dcId)).toEqual(['CREATE:SUCCESS', 'ENABLE:SUCCESS']);

    await allow(o.org.id);
    await http().delete(url).set(o.auth).expect(200);
    expect(await workFor(o.dcId)).toEqual([...jobsBefore, 'delete-credential'].sort());
    expect(await auditActions(o.dcId)).toEqual(['CREATE:SUCCESS', 'ENABLE:SUCCESS', 'DELETE:SUCCESS']);
  });

  it('create: no credential is left without its CREATE audit row', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin({ domain: `${uniq()}.example` });
    const domain = `${uniq()}.example`;
    const serviceAccountKey = await t.fake.createGoogleServiceAccount();
    await refuse(org.id, 'CREATE');
    const body = { workspacePlatformSlug: 'google', domain, serviceAccountKey };
    const base = `/v2/organizations/${org.id}/delegation-credentials`;

    expect((await http().post(base).set(auth).send(body)).status).toBe(500);
    expect(await t.prisma.delegationCredential.count({ where: { organizationId: org.id } })).toBe(0);

    await allow(org.id);
    const id = (await http().post(base).set(auth).send(body).expect(201)).body.data.id as string;
    expect(await auditActions(id)).toEqual(['CREATE:SUCCESS']);
  });
});
