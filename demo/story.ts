import { randomBytes } from 'node:crypto';
import { call, expectStatus, type Headers, inParallel, waitUntil } from './http';
import { bar, DemoFailure, out } from './output';
import type { ReceivedWebhook, WebhookReceiver } from './receiver';

/** What the story needs from whoever runs it (npm run demo, or the compose `demo` service). */
export interface StoryContext {
  /** The API, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** The provider sandbox (its control API is under /__sandbox), e.g. http://127.0.0.1:4010. */
  sandboxUrl: string;
  /** Members of the Google Workspace organization (the Microsoft 365 one gets a quarter, at least 5). */
  members: number;
  /** Local subscriber of the organization webhooks, and its URL as the worker reaches it. */
  receiver: WebhookReceiver;
  receiverUrl: string;
  webhookSecret: string;
  /** The operator CLI (`create-org`, `create-api-key` with --json): returns its JSON answer. */
  cli(args: string[]): Promise<{ organizationId?: number; userId: number; email: string; apiKey: string }>;
}

/** What the story established, for the summary, `--report` and the demo's own test. */
export interface StoryFacts {
  google: OrgFacts & { meetUrl: string };
  microsoft: OrgFacts & { teamsUrl: string };
  revocation: {
    verified: boolean;
    reasonType: string;
    reasonMessage: string;
    webhook: { errorType?: string; email?: string; signatureValid: boolean };
  };
  cleanup: {
    credentialsAfterDisable: number;
    delegatedCalendarGone: boolean;
    destinationCalendarKept: string | null;
  };
  memberNotInDirectoryReported: boolean;
}

interface OrgFacts {
  organizationId: number;
  domain: string;
  delegationCredentialId: string;
  admin: { email: string; apiKey: string };
  /** `calendarId`: the member's primary calendar (Google: the email; Graph: an opaque id). */
  member: { email: string; apiKey: string; calendarId: string };
  members: { matching: number; connected: number; pending: number; failing: number };
  busyTimes: { start: string; end: string; source?: string }[];
}

type Envelope<T> = { status: string; data: T };
interface Credential {
  id: string;
  status: string;
  enabled: boolean;
  clientId?: string;
  scopes?: string[];
  lastError?: { type: string; message: string } | null;
  members?: { matching: number; connected: number; pending: number; failing: number };
}
interface ErrorEnvelope {
  error?: { code?: string; message?: string; details?: { type?: string } };
}

const bearer = (apiKey: string): Headers => ({ Authorization: `Bearer ${apiKey}` });
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Tomorrow at `hour`:00 UTC, as an ISO string, and tomorrow's date. */
function tomorrow(hour: number, minutes = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(hour, minutes, 0, 0);
  return d.toISOString();
}
const tomorrowDate = () => tomorrow(0).slice(0, 10);

export async function runStory(ctx: StoryContext): Promise<StoryFacts> {
  const api = ctx.apiUrl;
  const sandbox = ctx.sandboxUrl;
  // The sandbox's control API: 201 with a body when it creates something, 204 when it changes a setting.
  const control = (method: string, path: string, body?: unknown) => {
    const expected = method === 'POST' && !/\/(delegations|consents|tokens\/expire)$/.test(path) ? 201 : 204;
    return expectStatus<Record<string, unknown>>(expected, sandbox, method, `/__sandbox${path}`, { body });
  };

  // ---------------------------------------------------------------------------------------------- Google Workspace
  const google = { domain: 'acme.test', slug: 'acme' };
  out.step(`Seed an organization on ${google.domain} with ${ctx.members} members`);
  const acmeAdmin = await ctx.cli([
    'create-org',
    '--slug',
    google.slug,
    '--admin-email',
    `admin@${google.domain}`,
  ]);
  const orgId = acmeAdmin.organizationId!;
  out.ok(
    `organization ${google.slug} (id ${orgId}), admin ${acmeAdmin.email} with an API key (CLI create-org)`,
  );
  const outsiders = Math.max(1, Math.round(ctx.members * 0.05));
  const inDomain = Math.max(2, ctx.members - outsiders - 1);
  const acmeMembers = Array.from({ length: inDomain }, (_, i) => `member-${pad(i + 1, 4)}@${google.domain}`);
  const departed = `departed@${google.domain}`;
  const partners = Array.from({ length: outsiders }, (_, i) => `guest-${pad(i + 1, 3)}@partners.example`);
  await seedMembers(api, orgId, acmeAdmin.apiKey, [...acmeMembers, departed, ...partners]);
  await control('POST', '/google/users', { emails: [acmeAdmin.email, ...acmeMembers] });
  out.ok(
    `${acmeMembers.length} on ${google.domain} in the Google directory, 1 on ${google.domain} who is not (${departed}), ` +
      `${partners.length} on partners.example (not covered by the credential)`,
  );

  out.step('Subscribe a webhook to DELEGATION_CREDENTIAL_ERROR');
  await removeLeftovers(api, orgId, acmeAdmin.apiKey);
  await subscribe(ctx, orgId, acmeAdmin.apiKey);

  out.step('Create a Google Workspace delegation credential');
  const serviceAccount = await control('POST', '/google/service-accounts', {
    projectId: 'acme-scheduling',
    name: 'cal-delegation',
  });
  out.info(
    `service account ${String(serviceAccount.client_email)} created in the sandbox (its JSON key downloaded)`,
  );
  const created = await expectStatus<Envelope<Credential>>(
    201,
    api,
    'POST',
    `/v2/organizations/${orgId}/delegation-credentials`,
    {
      headers: bearer(acmeAdmin.apiKey),
      body: { workspacePlatformSlug: 'google', domain: google.domain, serviceAccountKey: serviceAccount },
    },
  );
  const acmeDc = created.data;
  out.ok(`credential ${acmeDc.id}: status ${acmeDc.status}, enabled ${acmeDc.enabled}`);
  out.info(`client ID to authorize: ${acmeDc.clientId}; scopes: ${(acmeDc.scopes ?? []).join(', ')}`);

  out.step('Enable it before domain-wide delegation is authorized');
  const refused = await call<ErrorEnvelope>(
    api,
    'PATCH',
    `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}`,
    {
      headers: bearer(acmeAdmin.apiKey),
      body: { enabled: true },
    },
  );
  const refusedType = refused.body.error?.details?.type;
  if (refused.status !== 400 || refusedType !== 'CLIENT_NOT_AUTHORIZED') {
    throw new DemoFailure(
      out.currentStep,
      `expected 400 CLIENT_NOT_AUTHORIZED, got ${refused.status} ${JSON.stringify(refused.body)}`,
    );
  }
  out.ok(`refused: 400 ${refusedType}, nothing changed; the message tells the admin what to do:`);
  out.quote(refused.body.error?.message ?? '');

  out.step('Authorize the client ID for domain-wide delegation (the sandbox plays the Google Admin console)');
  await control('POST', '/google/delegations', {
    domain: google.domain,
    clientId: acmeDc.clientId,
    scopes: acmeDc.scopes,
  });
  out.ok(
    `${acmeDc.clientId} may now act for users of ${google.domain} with ${(acmeDc.scopes ?? []).length} scope(s)`,
  );

  out.step('Enable it');
  const enabled = await expectStatus<Envelope<Credential>>(
    200,
    api,
    'PATCH',
    `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}`,
    {
      headers: bearer(acmeAdmin.apiKey),
      body: { enabled: true },
    },
  );
  out.ok(
    `status ${enabled.data.status}, enabled ${enabled.data.enabled}: the worker now connects every matching member`,
  );

  out.step('Members are connected by the worker, no action from them');
  const acmeCounts = await waitForMembers(api, orgId, acmeAdmin.apiKey, acmeDc.id, 1);
  if (acmeCounts.failing !== 1)
    throw new DemoFailure(
      out.currentStep,
      `expected exactly 1 failing member, got ${JSON.stringify(acmeCounts)}`,
    );
  out.ok(
    `${acmeCounts.connected} connected, ${acmeCounts.failing} failing (${departed}: not in the directory), ${partners.length} outside the domain untouched`,
  );
  const notInDirectory = await waitForWebhook(ctx.receiver, (w) => w.email === departed, 60_000, false);
  if (notInDirectory)
    out.ok(
      `webhook delivered for ${departed}: ${notInDirectory.errorType} (signature ${notInDirectory.signatureValid ? 'valid' : 'INVALID'})`,
    );

  const acmeMember = await ctx.cli(['create-api-key', '--email', acmeMembers[0], '--org', String(orgId)]);
  const googleBusy = await busyTimes('google', ctx, acmeMember.email, acmeMember.apiKey, acmeDc.id);
  const meetUrl = await bookEvent('google', ctx, acmeMember.email, acmeMember.apiKey);

  // ---------------------------------------------------------------------------------------------- Microsoft 365
  const microsoft = { domain: 'contoso.test', slug: 'contoso' };
  const msMembers = Math.max(5, Math.round(ctx.members / 4));
  out.step(`The same for a Microsoft 365 organization on ${microsoft.domain} (${msMembers} members)`);
  const contosoAdmin = await ctx.cli([
    'create-org',
    '--slug',
    microsoft.slug,
    '--admin-email',
    `admin@${microsoft.domain}`,
  ]);
  const contosoId = contosoAdmin.organizationId!;
  const contosoMembers = Array.from(
    { length: msMembers },
    (_, i) => `user-${pad(i + 1, 4)}@${microsoft.domain}`,
  );
  await seedMembers(api, contosoId, contosoAdmin.apiKey, contosoMembers);
  await removeLeftovers(api, contosoId, contosoAdmin.apiKey);
  const tenant = await control('POST', '/microsoft/tenants', {
    domain: microsoft.domain,
    displayName: 'Contoso',
  });
  await inParallel([contosoAdmin.email, ...contosoMembers], 8, async (mail) => {
    await control('POST', '/microsoft/users', { tenantId: tenant.id, mail });
  });
  const app = await control('POST', '/microsoft/apps', { tenantId: tenant.id });
  out.ok(
    `tenant ${String(tenant.id)} with ${msMembers + 1} mailboxes; Entra app ${String(app.client_id)} registered, no admin consent yet`,
  );
  const msCreated = await expectStatus<Envelope<Credential>>(
    201,
    api,
    'POST',
    `/v2/organizations/${contosoId}/delegation-credentials`,
    {
      headers: bearer(contosoAdmin.apiKey),
      body: { workspacePlatformSlug: 'office365', domain: microsoft.domain, serviceAccountKey: app },
    },
  );
  const contosoDc = msCreated.data;
  const msRefused = await call<ErrorEnvelope>(
    api,
    'PATCH',
    `/v2/organizations/${contosoId}/delegation-credentials/${contosoDc.id}`,
    {
      headers: bearer(contosoAdmin.apiKey),
      body: { enabled: true },
    },
  );
  if (msRefused.status !== 400)
    throw new DemoFailure(
      out.currentStep,
      `expected 400 before admin consent, got ${msRefused.status} ${JSON.stringify(msRefused.body)}`,
    );
  out.ok(`enable before admin consent: 400 ${msRefused.body.error?.details?.type ?? ''}`);
  out.quote(msRefused.body.error?.message ?? '');
  await control('POST', '/microsoft/consents', { tenantId: tenant.id, clientId: app.client_id });
  out.ok('admin consent granted (Calendars.ReadWrite, User.Read.All application permissions)');
  await expectStatus(
    200,
    api,
    'PATCH',
    `/v2/organizations/${contosoId}/delegation-credentials/${contosoDc.id}`,
    {
      headers: bearer(contosoAdmin.apiKey),
      body: { enabled: true },
    },
  );
  const contosoCounts = await waitForMembers(api, contosoId, contosoAdmin.apiKey, contosoDc.id, 0);
  out.ok(`${contosoCounts.connected} connected, ${contosoCounts.failing} failing`);
  const contosoMember = await ctx.cli([
    'create-api-key',
    '--email',
    contosoMembers[0],
    '--org',
    String(contosoId),
  ]);
  const msBusy = await busyTimes('office365', ctx, contosoMember.email, contosoMember.apiKey, contosoDc.id);
  const teamsUrl = await bookEvent('office365', ctx, contosoMember.email, contosoMember.apiKey);

  // ---------------------------------------------------------------------------------------------- revocation
  out.step('A revoked delegation is detected and reported');
  const revokedAt = new Date();
  await control('DELETE', `/google/delegations/${google.domain}/${acmeDc.clientId}`);
  out.info(`domain-wide delegation for ${acmeDc.clientId} removed in the Google Admin console (sandbox)`);
  await control('POST', '/tokens/expire');
  out.info(
    'access tokens issued before expire (Google lets them live up to an hour; the sandbox ends them now)',
  );
  const verify = await expectStatus<
    Envelope<{ verified: boolean; reason?: { type: string; message: string } }>
  >(200, api, 'POST', `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}/verify`, {
    headers: bearer(acmeAdmin.apiKey),
  });
  if (verify.data.verified || !verify.data.reason)
    throw new DemoFailure(out.currentStep, `verify still says ${JSON.stringify(verify.data)}`);
  out.ok(`POST …/verify: verified ${verify.data.verified}, ${verify.data.reason.type}`);
  out.quote(verify.data.reason.message);
  // A member's calendar request through the revoked delegation is what reports it per member.
  const memberView = await call<ErrorEnvelope>(api, 'GET', busyPath(acmeDc.id, acmeMember.email), {
    headers: bearer(acmeMember.apiKey),
  });
  out.info(
    `${acmeMember.email} asks for busy times: ${memberView.status} ${memberView.body.error?.details?.type ?? ''}`.trimEnd(),
  );
  const revocationHook = await waitForWebhook(
    ctx.receiver,
    (w) => w.at >= revokedAt && w.errorType === verify.data.reason!.type,
    60_000,
    true,
  );
  out.ok(
    `webhook DELEGATION_CREDENTIAL_ERROR delivered to ${ctx.receiverUrl}: ${revocationHook!.errorType}` +
      `${revocationHook!.email ? ` for ${revocationHook!.email}` : ''} (signature ${revocationHook!.signatureValid ? 'valid' : 'INVALID'})`,
  );
  const afterRevoke = await expectStatus<Envelope<Credential>>(
    200,
    api,
    'GET',
    `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}`,
    {
      headers: bearer(acmeAdmin.apiKey),
    },
  );
  out.info(
    `credential status ${afterRevoke.data.status}, lastError ${afterRevoke.data.lastError?.type ?? 'none'}`,
  );

  // ---------------------------------------------------------------------------------------------- disable
  out.step("Disable: delegated calendars are removed, the members' preferences are kept");
  const before = await expectStatus<Envelope<ConnectedCalendars>>(200, api, 'GET', '/v2/calendars', {
    headers: bearer(acmeMember.apiKey),
  });
  const destinationBefore = before.data.destinationCalendar?.externalId ?? null;
  await expectStatus(200, api, 'PATCH', `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}`, {
    headers: bearer(acmeAdmin.apiKey),
    body: { enabled: false },
  });
  const progress = out.progress('member credentials removed');
  const total = acmeCounts.connected + acmeCounts.failing + acmeCounts.pending;
  const cleaned = await waitUntil('the cleanup job', async () => {
    const { data } = await expectStatus<Envelope<Credential>>(
      200,
      api,
      'GET',
      `/v2/organizations/${orgId}/delegation-credentials/${acmeDc.id}`,
      {
        headers: bearer(acmeAdmin.apiKey),
      },
    );
    const left = (data.members?.connected ?? 0) + (data.members?.pending ?? 0) + (data.members?.failing ?? 0);
    progress.update(bar(total - left, total));
    return left === 0 ? data : undefined;
  });
  progress.done(`${total} of ${total}; credential status ${cleaned.status}`);
  const after = await expectStatus<Envelope<ConnectedCalendars>>(200, api, 'GET', '/v2/calendars', {
    headers: bearer(acmeMember.apiKey),
  });
  const delegatedLeft = after.data.connectedCalendars.filter(
    (c) => c.delegationCredentialId === acmeDc.id,
  ).length;
  if (delegatedLeft !== 0)
    throw new DemoFailure(
      out.currentStep,
      `${acmeMember.email} still sees ${delegatedLeft} delegated calendar(s)`,
    );
  if (!after.data.destinationCalendar)
    throw new DemoFailure(out.currentStep, `${acmeMember.email} lost the destination calendar`);
  out.ok(
    `${acmeMember.email}: no delegated calendar left; destination calendar ${after.data.destinationCalendar.externalId} kept`,
  );
  out.info('re-enabling would re-link the kept preferences, with no action from the members');

  return {
    google: {
      organizationId: orgId,
      domain: google.domain,
      delegationCredentialId: acmeDc.id,
      admin: { email: acmeAdmin.email, apiKey: acmeAdmin.apiKey },
      member: { email: acmeMember.email, apiKey: acmeMember.apiKey, calendarId: googleBusy.calendarId },
      members: acmeCounts,
      busyTimes: googleBusy.blocks,
      meetUrl,
    },
    microsoft: {
      organizationId: contosoId,
      domain: microsoft.domain,
      delegationCredentialId: contosoDc.id,
      admin: { email: contosoAdmin.email, apiKey: contosoAdmin.apiKey },
      member: { email: contosoMember.email, apiKey: contosoMember.apiKey, calendarId: msBusy.calendarId },
      members: contosoCounts,
      busyTimes: msBusy.blocks,
      teamsUrl,
    },
    revocation: {
      verified: verify.data.verified,
      reasonType: verify.data.reason.type,
      reasonMessage: verify.data.reason.message,
      webhook: {
        errorType: revocationHook!.errorType,
        email: revocationHook!.email,
        signatureValid: revocationHook!.signatureValid,
      },
    },
    cleanup: {
      credentialsAfterDisable:
        (cleaned.members?.connected ?? 0) + (cleaned.members?.pending ?? 0) + (cleaned.members?.failing ?? 0),
      delegatedCalendarGone: delegatedLeft === 0,
      destinationCalendarKept: after.data.destinationCalendar.externalId ?? destinationBefore,
    },
    memberNotInDirectoryReported: Boolean(notInDirectory),
  };
}

interface ConnectedCalendars {
  connectedCalendars: {
    integration: { type?: string; name?: string };
    credentialId: number;
    delegationCredentialId?: string | null;
    primary?: { externalId: string } | null;
    calendars?: { externalId: string; isSelected?: boolean }[];
  }[];
  destinationCalendar: { externalId: string; integration?: string } | null;
}

/** Users with an accepted membership, created through the org users API (a live counter while it runs). */
async function seedMembers(api: string, orgId: number, adminKey: string, emails: string[]): Promise<void> {
  const progress = out.progress('members created (POST /v2/organizations/{orgId}/users)');
  let done = 0;
  let existing = 0;
  await inParallel(emails, 8, async (email) => {
    const answer = await call(api, 'POST', `/v2/organizations/${orgId}/users`, {
      headers: bearer(adminKey),
      body: { email, name: email.split('@')[0], autoAccept: true },
    });
    if (answer.status === 409) existing += 1;
    else if (answer.status !== 201) {
      progress.fail();
      throw new DemoFailure(
        out.currentStep,
        `creating ${email}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    done += 1;
    progress.update(bar(done, emails.length));
  });
  progress.done(`${emails.length}${existing ? ` (${existing} already there from an earlier run)` : ''}`);
}

/** Deletes delegation credentials an interrupted earlier run left in this organization (waits until gone). */
async function removeLeftovers(api: string, orgId: number, adminKey: string): Promise<void> {
  const list = await expectStatus<Envelope<Credential[]>>(
    200,
    api,
    'GET',
    `/v2/organizations/${orgId}/delegation-credentials`,
    {
      headers: bearer(adminKey),
    },
  );
  for (const dc of list.data) {
    await expectStatus(200, api, 'DELETE', `/v2/organizations/${orgId}/delegation-credentials/${dc.id}`, {
      headers: bearer(adminKey),
    });
    await waitUntil(`credential ${dc.id} of an earlier run to be deleted`, async () => {
      const answer = await call(api, 'GET', `/v2/organizations/${orgId}/delegation-credentials/${dc.id}`, {
        headers: bearer(adminKey),
      });
      return answer.status === 404 ? true : undefined;
    });
    out.info(`removed credential ${dc.id} left by an earlier run`);
  }
}

async function subscribe(ctx: StoryContext, orgId: number, adminKey: string): Promise<void> {
  const hooks = await expectStatus<Envelope<{ id: string; subscriberUrl: string }[]>>(
    200,
    ctx.apiUrl,
    'GET',
    `/v2/organizations/${orgId}/webhooks`,
    {
      headers: bearer(adminKey),
    },
  );
  for (const hook of hooks.data) {
    await expectStatus(200, ctx.apiUrl, 'DELETE', `/v2/organizations/${orgId}/webhooks/${hook.id}`, {
      headers: bearer(adminKey),
    });
  }
  await expectStatus(201, ctx.apiUrl, 'POST', `/v2/organizations/${orgId}/webhooks`, {
    headers: bearer(adminKey),
    body: {
      subscriberUrl: ctx.receiverUrl,
      triggers: ['DELEGATION_CREDENTIAL_ERROR'],
      secret: ctx.webhookSecret,
      active: true,
    },
  });
  out.ok(`${ctx.receiverUrl} (a receiver the demo runs; deliveries are signed with the webhook secret)`);
}

async function waitForMembers(
  api: string,
  orgId: number,
  adminKey: string,
  dcId: string,
  expectedFailing: number,
) {
  const progress = out.progress('members connected');
  const counts = await waitUntil(
    'every matching member to be connected',
    async () => {
      const { data } = await expectStatus<Envelope<Credential>>(
        200,
        api,
        'GET',
        `/v2/organizations/${orgId}/delegation-credentials/${dcId}`,
        {
          headers: bearer(adminKey),
        },
      );
      const m = data.members ?? { matching: 0, connected: 0, pending: 0, failing: 0 };
      progress.update(
        `${bar(m.connected, m.matching - expectedFailing)} connectable of ${m.matching} matching  pending ${m.pending}  failing ${m.failing}`,
      );
      return m.matching > 0 && m.pending === 0 && m.connected + m.failing === m.matching ? m : undefined;
    },
    300_000,
  );
  progress.done(
    `${bar(counts.connected, counts.matching - expectedFailing)} connectable of ${counts.matching} matching  ` +
      `failing ${counts.failing}${expectedFailing ? ` (${expectedFailing} expected: not in the directory)` : ''}`,
  );
  return counts;
}

const busyPath = (dcId: string, calendarId: string) =>
  `/v2/calendars/busy-times?timeZone=UTC&dateFrom=${tomorrowDate()}&dateTo=${tomorrowDate()}` +
  `&calendarsToLoad[0][delegationCredentialId]=${dcId}&calendarsToLoad[0][externalId]=${encodeURIComponent(calendarId)}`;

async function busyTimes(
  platform: 'google' | 'office365',
  ctx: StoryContext,
  email: string,
  apiKey: string,
  dcId: string,
): Promise<{ calendarId: string; blocks: { start: string; end: string; source?: string }[] }> {
  out.step(`A member's busy times, read through the organization's credential (${email})`);
  const calendars = await expectStatus<Envelope<ConnectedCalendars>>(
    200,
    ctx.apiUrl,
    'GET',
    '/v2/calendars',
    { headers: bearer(apiKey) },
  );
  const delegated = calendars.data.connectedCalendars.find((c) => c.delegationCredentialId === dcId);
  if (!delegated)
    throw new DemoFailure(
      out.currentStep,
      `${email} has no delegated calendar: ${JSON.stringify(calendars.data)}`,
    );
  out.ok(
    `GET /v2/calendars: ${delegated.integration.name ?? delegated.integration.type} connected by delegation ` +
      `(member credential #${delegated.credentialId}, from delegation credential ${dcId}), destination calendar ${calendars.data.destinationCalendar?.externalId ?? 'none'}`,
  );
  // Google's primary calendar id is the email; Graph's is an opaque id.
  const calendarId = delegated.primary?.externalId ?? calendars.data.destinationCalendar?.externalId ?? email;
  await expectStatus(201, ctx.sandboxUrl, 'POST', '/__sandbox/busy', {
    body: { platform, email, start: tomorrow(10), end: tomorrow(11) },
  });
  out.info(
    `a meeting tomorrow 10:00–11:00 UTC is in ${email}'s ${platform === 'google' ? 'Google' : 'Outlook'} calendar`,
  );
  const answer = await expectStatus<Envelope<{ start: string; end: string; source?: string }[]>>(
    200,
    ctx.apiUrl,
    'GET',
    busyPath(dcId, calendarId),
    {
      headers: bearer(apiKey),
    },
  );
  if (!answer.data.length) throw new DemoFailure(out.currentStep, 'no busy block came back');
  for (const block of answer.data) out.ok(`busy ${block.start} → ${block.end}`);
  return { calendarId, blocks: answer.data };
}

async function bookEvent(
  platform: 'google' | 'office365',
  ctx: StoryContext,
  email: string,
  apiKey: string,
): Promise<string> {
  const product = platform === 'google' ? 'Google Meet' : 'Microsoft Teams';
  out.step(`Book an event with a ${product} link in ${email}'s calendar`);
  const event = await expectStatus<Envelope<{ uid: string; meetingUrl: string | null; calendarId: string }>>(
    201,
    ctx.apiUrl,
    'POST',
    `/v2/calendars/${platform}/events`,
    {
      headers: bearer(apiKey),
      body: {
        title: 'Intro call',
        start: tomorrow(14),
        end: tomorrow(14, 30),
        timeZone: 'UTC',
        attendees: [{ email: 'guest@customer.example', name: 'Guest' }],
        conference: true,
      },
    },
  );
  const expected =
    platform === 'google' ? /^https:\/\/meet\.google\.com\// : /^https:\/\/teams\.microsoft\.com\//;
  if (!event.data.meetingUrl || !expected.test(event.data.meetingUrl))
    throw new DemoFailure(out.currentStep, `no ${product} link: ${JSON.stringify(event.data)}`);
  const stored = await expectStatus<unknown[]>(
    200,
    ctx.sandboxUrl,
    'GET',
    `/__sandbox/events?platform=${platform}&email=${encodeURIComponent(email)}`,
  );
  out.ok(`event ${event.data.uid} in calendar ${event.data.calendarId}: ${event.data.meetingUrl}`);
  out.info(`the provider holds ${stored.length} event(s) for ${email}`);
  return event.data.meetingUrl;
}

/** Waits for a webhook matching `match`; `required` fails the step when none comes. */
async function waitForWebhook(
  receiver: WebhookReceiver,
  match: (w: ReceivedWebhook) => boolean,
  timeoutMs: number,
  required: boolean,
): Promise<ReceivedWebhook | undefined> {
  try {
    return await waitUntil(
      'a DELEGATION_CREDENTIAL_ERROR webhook delivery',
      () => Promise.resolve(receiver.received.find(match)),
      timeoutMs,
    );
  } catch (error) {
    if (required) throw error;
    out.warn('no webhook for it yet (deliveries retry with backoff)');
    return undefined;
  }
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(18).toString('base64url')}`;
