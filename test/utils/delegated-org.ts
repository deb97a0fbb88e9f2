import request from 'supertest';
import type { FakePlatform } from '../../src/sandbox/fake-provider.server';
import { bearer, uniq } from './fixtures';
import type { TestAppWithFakes } from './providers';

export type Platform = FakePlatform;

export interface DelegatedOrgOptions {
  /** Enable the credential through the admin API after creating it (default true). */
  enabled?: boolean;
}

export type DelegatedOrg = Awaited<ReturnType<typeof delegatedOrg>>;
export type DelegatedMember = Awaited<ReturnType<DelegatedOrg['member']>>;

/**
 * An organization on a fresh `<random>.example` domain whose admin (admin@ that domain) has a mailbox at the
 * provider, with a delegation credential of `platform` created, and unless told otherwise enabled, through the
 * admin API: a Google service account allow-listed for domain-wide delegation, or a Microsoft tenant for the
 * domain with an app that has admin consent.
 */
export async function delegatedOrg(
  t: TestAppWithFakes,
  platform: Platform,
  options: DelegatedOrgOptions = {},
) {
  const { fake } = t;
  const http = () => request(t.app.getHttpServer());
  const domain = `${uniq()}.example`;
  const { org, admin, apiKey, auth } = await t.fixtures.orgWithAdmin({ domain });
  let serviceAccountKey: object;
  let tenantId = '';
  let clientId: string;
  if (platform === 'google') {
    const key = await fake.createGoogleServiceAccount();
    fake.addGoogleUser(admin.email);
    fake.authorizeDomainWideDelegation(domain, key.client_id);
    serviceAccountKey = key;
    clientId = key.client_id;
  } else {
    tenantId = fake.createMicrosoftTenant({ domain }).id;
    fake.addMicrosoftUser(tenantId, admin.email);
    const app = fake.createMicrosoftApp({ tenantId, consent: true });
    serviceAccountKey = app;
    clientId = app.client_id;
  }
  const base = `/v2/organizations/${org.id}/delegation-credentials`;
  const created = await http()
    .post(base)
    .set(auth)
    .send({ workspacePlatformSlug: platform, domain, serviceAccountKey })
    .expect(201);
  const dcId = created.body.data.id as string;

  /** Enables or disables the credential through the admin API (200). */
  const setEnabled = (enabled: boolean) =>
    http().patch(`${base}/${dcId}`).set(auth).send({ enabled }).expect(200);

  /**
   * A user of the org (accepted unless told) with a mailbox at the provider, and their API key's header;
   * `primary` is their primary calendar id there.
   */
  const member = async (memberOptions: { accepted?: boolean; email?: string } = {}) => {
    const user = await t.fixtures.user(memberOptions.email ?? `m-${uniq()}@${domain}`);
    await t.fixtures.membership(user.id, org.id, 'MEMBER', memberOptions.accepted ?? true);
    let primary = user.email;
    if (platform === 'google') fake.addGoogleUser(user.email);
    else primary = fake.microsoft.store.primaryOf(fake.addMicrosoftUser(tenantId, user.email).id)!.id;
    return { user, primary, auth: bearer(await t.fixtures.apiKey(user.id)) };
  };

  /** An accepted member whose delegated credential exists: any member request provisions it on the spot. */
  const connectedMember = async () => {
    const m = await member();
    await http().get('/v2/conferencing').set(m.auth).expect(200);
    return m;
  };

  /** The id of the member credential this delegation credential gave `userId`. */
  const memberCredentialId = async (userId: number) =>
    (await t.prisma.credential.findFirstOrThrow({ where: { userId, delegationCredentialId: dcId } })).id;

  if (options.enabled ?? true) await setEnabled(true);
  return {
    org,
    admin,
    apiKey,
    auth,
    domain,
    platform,
    dcId,
    clientId,
    tenantId,
    /** The key the credential was created with (Google JSON key / Microsoft app with its secret). */
    serviceAccountKey,
    setEnabled,
    member,
    connectedMember,
    memberCredentialId,
  };
}
