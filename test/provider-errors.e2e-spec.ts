import request from 'supertest';
import { ProviderRegistry } from '../src/providers/provider.registry';
import { delegatedOrg } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

/**
 * The refusals of issue 10's "misclassified" reproductions, produced as an admin's action would produce them (the
 * sandbox's control API), answered through HTTP with the type and the fix that match the reason (e2e).
 */
describe('Provider refusals reach the admin with the right type and fix (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const verify = (orgId: number, dcId: string, auth: Record<string, string>) =>
    http().post(`/v2/organizations/${orgId}/delegation-credentials/${dcId}/verify`).set(auth);

  it('Google Calendar API disabled in the Cloud project: CALENDAR_API_DISABLED naming the project number and the enable step, not a delegation hint', async () => {
    const o = await delegatedOrg(t, 'google', { enabled: false });
    // The project of this org's service account: the one whose client ID the credential names.
    const own = t.fake.google.projectOfClient(o.clientId);
    expect(own).toBeDefined();
    t.fake.google.setCalendarApi(own!.projectId, false);

    const res = await http()
      .patch(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`)
      .set(o.auth)
      .send({ enabled: true })
      .expect(400);
    expect(res.body.error.details).toMatchObject({ type: 'CALENDAR_API_DISABLED', permanent: true });
    expect(res.body.error.message).toContain(`Google Cloud project ${own!.projectNumber}`);
    expect(res.body.error.message).toContain('APIs & Services › Library › Google Calendar API › Enable');
    expect(res.body.error.message).not.toMatch(/add the numeric client ID|narrower scope/);

    t.fake.google.setCalendarApi(own!.projectId, true);
    await http()
      .patch(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`)
      .set(o.auth)
      .send({ enabled: true })
      .expect(200);
  });

  it('Google 403 with status PERMISSION_DENIED: the hint follows the reason (quota vs scope)', async () => {
    const o = await delegatedOrg(t, 'google');
    t.fake.injectFault({
      route: 'google.calendarList',
      status: 403,
      reason: 'userRateLimitExceeded',
      times: 10,
    });
    const quota = await verify(o.org.id, o.dcId, o.auth);
    t.fake.clearFaults();
    expect(quota.status).toBe(503);
    expect(quota.body.error.details).toMatchObject({ type: 'RATE_LIMITED', permanent: false });
    expect(quota.body.error.message).not.toContain('narrower scope');

    t.fake.injectFault({
      route: 'google.calendarList',
      status: 403,
      reason: 'insufficientPermissions',
      times: 1,
    });
    const scope = await verify(o.org.id, o.dcId, o.auth);
    t.fake.clearFaults();
    expect(scope.status).toBe(200);
    expect(scope.body.data).toMatchObject({ verified: false, reason: { type: 'PERMISSION_DENIED' } });
    expect(scope.body.data.reason.message).toContain('grants a narrower scope');
  });

  it('Microsoft: an expired secret is CLIENT_SECRET_EXPIRED, a secret ID in place of the value says so', async () => {
    const o = await delegatedOrg(t, 'office365');
    const [secret] = t.fake.microsoft.secretsOf(o.clientId);
    t.fake.microsoft.expireSecrets(o.clientId);
    t.app.get(ProviderRegistry).evict(o.dcId);
    const expired = await verify(o.org.id, o.dcId, o.auth);
    expect(JSON.stringify(expired.body)).toContain('CLIENT_SECRET_EXPIRED');
    expect(JSON.stringify(expired.body)).toContain('AADSTS7000222');

    const res = await http()
      .patch(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`)
      .set(o.auth)
      .send({ serviceAccountKey: { tenant_id: o.tenantId, client_id: o.clientId, private_key: secret.id } })
      .expect(400);
    expect(res.body.error.details).toMatchObject({ type: 'INVALID_CLIENT_SECRET' });
    expect(res.body.error.message).toContain('has the shape of a Secret ID (a GUID)');
    expect(JSON.stringify(res.body)).not.toContain(secret.id);
  });
});
