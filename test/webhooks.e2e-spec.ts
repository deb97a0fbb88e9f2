import { createHmac, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { KeyEncryptionService } from '../src/crypto/key-encryption.service';
import { JobsService } from '../src/jobs/jobs.service';
import { JOB, WEBHOOK_QUEUE } from '../src/jobs/jobs.types';
import { DelegationErrorEvents } from '../src/lifecycle/delegation-error-events.service';
import { ProviderError } from '../src/providers/provider.errors';
import { ProviderRegistry } from '../src/providers/provider.registry';
import { useTestApp } from './utils/app';
import { delegatedOrg } from './utils/delegated-org';
import { bearer, uniq } from './utils/fixtures';
import { type HttpReceiver, startReceiver } from './utils/http-receiver';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { jobsWith } from './utils/queue';
import { startInProcessWorker, waitFor } from './utils/worker';

const base = (orgId: number) => `/v2/organizations/${orgId}/webhooks`;
const PUBLIC_URL = 'https://93.184.215.14/hooks/cal'; // an IP literal: no DNS needed offline
const ERROR = 'DELEGATION_CREDENTIAL_ERROR';
const FLAG = 'WEBHOOK_ALLOW_PRIVATE_URLS';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` with WEBHOOK_ALLOW_PRIVATE_URLS set to `value` for the describe block, restoring it after. */
function withPrivateUrls(value: string | undefined) {
  const previous = process.env[FLAG];
  beforeAll(() => {
    if (value === undefined) delete process.env[FLAG];
    else process.env[FLAG] = value;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env[FLAG];
    else process.env[FLAG] = previous;
  });
}

describe('Org webhooks CRUD (e2e)', () => {
  withPrivateUrls(undefined);
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());
  const admin = () => t.fixtures.orgWithAdmin();

  it('creates (201), lists, gets, updates and deletes; the secret is write-only and encrypted at rest', async () => {
    const { org, auth } = await admin();
    const secret = `whsec-${uniq()}-${uniq()}`;
    const created = await http()
      .post(base(org.id))
      .set(auth)
      .send({ subscriberUrl: PUBLIC_URL, active: true, triggers: [ERROR, ERROR, 'BOOKING_CREATED'], secret })
      .expect(201);
    const data = created.body.data;
    expect(data).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      payloadTemplate: null,
      triggers: [ERROR, 'BOOKING_CREATED'],
      teamId: org.id,
      active: true,
      subscriberUrl: PUBLIC_URL,
      hasSecret: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await t.prisma.webhook.findUniqueOrThrow({ where: { id: data.id } });
    expect(row.encryptedSecret).not.toContain(secret);
    const sealed = { ciphertext: row.encryptedSecret!, keyVersion: row.secretKeyVersion! };
    expect(t.app.get(KeyEncryptionService).open(sealed, row.id)).toEqual({ secret }); // bound to this row

    const second = await http()
      .post(base(org.id))
      .set(auth)
      .send({
        subscriberUrl: `${PUBLIC_URL}/2`,
        active: false,
        triggers: [ERROR],
        payloadTemplate: '{"a":1}',
      })
      .expect(201);
    expect(second.body.data).toMatchObject({ hasSecret: false, active: false, payloadTemplate: '{"a":1}' });

    const list = await http().get(base(org.id)).set(auth).expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([data.id, second.body.data.id]);
    const page = await http()
      .get(`${base(org.id)}?take=1&skip=1`)
      .set(auth)
      .expect(200);
    expect(page.body.data.map((w: { id: string }) => w.id)).toEqual([second.body.data.id]);
    const one = await http()
      .get(`${base(org.id)}/${data.id}`)
      .set(auth)
      .expect(200);
    expect(one.body).toEqual({ status: 'success', data });

    const patched = await http()
      .patch(`${base(org.id)}/${data.id}`)
      .set(auth)
      .send({ active: false, triggers: ['BOOKING_CANCELLED'], secret: 'rotated-secret' })
      .expect(200);
    expect(patched.body.data).toMatchObject({
      active: false,
      triggers: ['BOOKING_CANCELLED'],
      hasSecret: true,
    });
    const rotated = await t.prisma.webhook.findUniqueOrThrow({ where: { id: data.id } });
    expect(rotated.encryptedSecret).not.toBe(row.encryptedSecret);
    const unsigned = await http()
      .patch(`${base(org.id)}/${data.id}`)
      .set(auth)
      .send({ secret: null, payloadTemplate: null })
      .expect(200);
    expect(unsigned.body.data).toMatchObject({ hasSecret: false, payloadTemplate: null, active: false });

    for (const res of [created, list, one, patched, unsigned])
      expect(JSON.stringify(res.body)).not.toMatch(/whsec-|rotated-secret|encrypted/i);

    const deleted = await http()
      .delete(`${base(org.id)}/${data.id}`)
      .set(auth)
      .expect(200);
    expect(deleted.body.data.id).toBe(data.id);
    await http()
      .get(`${base(org.id)}/${data.id}`)
      .set(auth)
      .expect(404);
    await http()
      .delete(`${base(org.id)}/${data.id}`)
      .set(auth)
      .expect(404);
  });

  it('answers 400 to invalid input, never echoing the secret', async () => {
    const { org, auth } = await admin();
    const valid = { subscriberUrl: PUBLIC_URL, active: true, triggers: [ERROR], secret: 'do-not-echo-me' };
    const invalid: Record<string, unknown>[] = [
      { subscriberUrl: 'not a url' },
      { subscriberUrl: 'ftp://93.184.215.14/x' },
      { subscriberUrl: 'https://user:pw@93.184.215.14/x' },
      { triggers: ['NOPE'] },
      { triggers: [] },
      { triggers: ERROR },
      { active: 'yes' },
      { active: undefined },
      { unknownProperty: 1 },
      { secret: '' },
      { payloadTemplate: '{"who":"{{user.email}}","what":"{{booking.title}}"}' },
      { payloadTemplate: 42 },
    ];
    for (const change of invalid) {
      const res = await http()
        .post(base(org.id))
        .set(auth)
        .send({ ...valid, ...change });
      expect({ change, status: res.status }).toEqual({ change, status: 400 });
      expect(JSON.stringify(res.body)).not.toContain('do-not-echo-me');
    }
    const unknownVariable = await http()
      .post(base(org.id))
      .set(auth)
      .send({ ...valid, payloadTemplate: '{"x":"{{ booking.title }}","y":"{{user.email}}"}' })
      .expect(400);
    expect(JSON.stringify(unknownVariable.body.error)).toContain(
      'payloadTemplate uses unknown variables: {{booking.title}}',
    );
    const created = await http().post(base(org.id)).set(auth).send(valid).expect(201);
    for (const change of [
      { active: null },
      { triggers: null },
      { subscriberUrl: null },
      { nope: true },
      { payloadTemplate: '{{secret}}' },
    ])
      await http()
        .patch(`${base(org.id)}/${created.body.data.id}`)
        .set(auth)
        .send(change)
        .expect(400);
    expect(await t.prisma.webhook.count({ where: { organizationId: org.id } })).toBe(1);
  });

  it('refuses private, loopback, link-local, CGNAT, multicast and unresolvable destinations (400)', async () => {
    const { org, auth } = await admin();
    const urls = [
      'http://localhost:3000/hook',
      'http://api.localhost/hook',
      'http://127.0.0.1/hook',
      'http://2130706433/hook',
      'http://10.1.2.3/hook',
      'http://172.16.5.4/hook',
      'http://192.168.1.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
      'http://[::1]/hook',
      'http://[fc00::1]/hook',
      'http://[fe80::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'https://nothing-here.invalid/hook',
    ];
    for (const subscriberUrl of urls) {
      const res = await http()
        .post(base(org.id))
        .set(auth)
        .send({ subscriberUrl, active: true, triggers: [ERROR] });
      expect({ subscriberUrl, status: res.status }).toEqual({ subscriberUrl, status: 400 });
      expect(res.body.error.message).toMatch(/^subscriberUrl is not allowed/);
    }
    const created = await http()
      .post(base(org.id))
      .set(auth)
      .send({ subscriberUrl: PUBLIC_URL, active: true, triggers: [ERROR] })
      .expect(201);
    await http()
      .patch(`${base(org.id)}/${created.body.data.id}`)
      .set(auth)
      .send({ subscriberUrl: 'http://10.0.0.8/hook' })
      .expect(400);
  });

  it("hides another org's webhooks (404, untouched), 404s malformed ids, and is guarded (401/403)", async () => {
    const a = await admin();
    const b = await admin();
    const created = await http()
      .post(base(a.org.id))
      .set(a.auth)
      .send({ subscriberUrl: PUBLIC_URL, active: true, triggers: [ERROR] })
      .expect(201);
    const id = created.body.data.id as string;
    await http()
      .get(`${base(b.org.id)}/${id}`)
      .set(b.auth)
      .expect(404);
    await http()
      .patch(`${base(b.org.id)}/${id}`)
      .set(b.auth)
      .send({ active: false })
      .expect(404);
    await http()
      .delete(`${base(b.org.id)}/${id}`)
      .set(b.auth)
      .expect(404);
    expect((await http().get(base(b.org.id)).set(b.auth).expect(200)).body.data).toEqual([]);
    expect(await t.prisma.webhook.findUniqueOrThrow({ where: { id } })).toMatchObject({ active: true });
    await http()
      .get(`${base(a.org.id)}/${id}`)
      .set(b.auth)
      .expect(403); // b is not a member of a's org
    for (const bad of ['not-a-uuid', '123', `${id}x`])
      await http()
        .get(`${base(a.org.id)}/${bad}`)
        .set(a.auth)
        .expect(404);

    await http().get(base(a.org.id)).expect(401);
    const member = await t.fixtures.user();
    await t.fixtures.membership(member.id, a.org.id, 'MEMBER');
    const memberAuth = bearer(await t.fixtures.apiKey(member.id));
    await http().get(base(a.org.id)).set(memberAuth).expect(403);
    await http()
      .post(base(a.org.id))
      .set(memberAuth)
      .send({ subscriberUrl: PUBLIC_URL, active: true, triggers: [ERROR] })
      .expect(403);
  });
});

const signatureOf = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('Org webhooks: DELEGATION_CREDENTIAL_ERROR delivery (e2e)', () => {
  withPrivateUrls('true'); // the receiver listens on 127.0.0.1
  let t: TestAppWithFakes;
  let worker: INestApplicationContext;
  let receiver: HttpReceiver;
  let queue: Queue;
  const http = () => request(t.app.getHttpServer());
  const secret = `whsec-${uniq()}${uniq()}`;
  // The scenario of the first test, set up before the worker starts (see beforeAll).
  const s = {} as { dcId: string };

  const createWebhook = (orgId: number, auth: Record<string, string>, body: Record<string, unknown>) =>
    http()
      .post(base(orgId))
      .set(auth)
      .send({ active: true, triggers: [ERROR], ...body })
      .expect(201)
      .then((res) => res.body.data.id as string);

  const jobsOf = (webhookId: string) => jobsWith(queue, 'webhookId', webhookId);

  /** Publishes a member failure the way the service does: inside a transaction (its deliveries are job intents). */
  const publishMemberFailure = (event: ReturnType<typeof failure>) =>
    t.prisma.$transaction((tx) => t.app.get(DelegationErrorEvents).memberAccessFailed(tx, event));

  const failure = (organizationId: number) => ({
    error: new ProviderError('CLIENT_NOT_AUTHORIZED', 'Client 123 is not authorized', 'google'),
    organizationId,
    delegationCredentialId: randomUUID(),
    credential: { id: 42, type: 'google_calendar', appId: 'google-calendar' },
    user: { id: 7, email: 'someone@acme.example' },
  });

  beforeAll(async () => {
    t = await createTestAppWithFakes();
    receiver = await startReceiver();
    queue = t.queue(WEBHOOK_QUEUE);

    // A Google credential enabled for an org with an admin and a member in the Workspace directory, with three
    // webhooks; then domain-wide delegation is revoked at "Google" before any member was verified.
    const o = await delegatedOrg(t, 'google', { enabled: false });
    await o.member();
    await createWebhook(o.org.id, o.auth, { subscriberUrl: receiver.url('/signed'), secret });
    await createWebhook(o.org.id, o.auth, {
      subscriberUrl: receiver.url('/inactive'),
      active: false,
      secret,
    });
    await createWebhook(o.org.id, o.auth, {
      subscriberUrl: receiver.url('/other'),
      triggers: ['BOOKING_CREATED'],
    });
    await o.setEnabled(true);
    t.fake.revokeDomainWideDelegation(o.domain, o.clientId);
    t.app.get(ProviderRegistry).evict(o.dcId); // the enable check's cached token would still work
    s.dcId = o.dcId;

    worker = await startInProcessWorker(); // provisions, verifies each member (fails), delivers
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close(); // the queue, the app and the fakes
    await receiver?.close();
  });

  it('revoked DWD → member verification fails → exactly one signed, credential-wide POST (not one per member)', async () => {
    await waitFor(async () => Promise.resolve(receiver.at('/signed').length >= 1), 20_000, 'a delivery');
    // Both members' verifications fail the same way; the credential is reported once, for both.
    await waitFor(
      async () =>
        (await t.prisma.credential.count({
          where: { delegationCredentialId: s.dcId, syncState: 'BLOCKED' },
        })) === 2,
      20_000,
      'both members blocked',
    );
    await sleep(700); // nothing more may arrive
    const deliveries = receiver.at('/signed');
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['x-cal-signature-256']).toBe(signatureOf(d.body, secret));
    expect(d.body).not.toMatch(/PRIVATE KEY|private_key|whsec-/);
    const dc = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: s.dcId } });
    expect(dc.status).toBe('FAILING');
    expect(JSON.parse(d.body)).toEqual({
      triggerEvent: ERROR,
      createdAt: expect.any(String),
      payload: {
        scope: 'credential',
        error: { type: 'CLIENT_NOT_AUTHORIZED', message: expect.any(String) },
        credential: {
          id: null,
          type: 'google_calendar',
          appId: 'google-calendar',
          delegationCredentialId: s.dcId,
        },
        user: null,
        delegationCredential: {
          id: s.dcId,
          domain: dc.domain,
          workspacePlatformSlug: 'google',
          status: 'failing',
          failingSince: (dc.lastError as { at: string }).at,
        },
        affectedMembers: 2,
      },
    });
    expect(receiver.at('/inactive')).toEqual([]);
    expect(receiver.at('/other')).toEqual([]);

    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'delayed', 'active']);
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain(secret);
  });

  it('retries a subscriber answering 500, with the same bytes and signature', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    receiver.statuses.set('/flaky', [500]);
    const id = await createWebhook(org.id, auth, { subscriberUrl: receiver.url('/flaky'), secret });
    await publishMemberFailure(failure(org.id));
    await waitFor(
      async () => (await jobsOf(id))[0]?.finishedOn !== undefined,
      15_000,
      'the retried delivery',
    );
    const [first, second] = receiver.at('/flaky');
    expect(receiver.at('/flaky')).toHaveLength(2);
    expect(second.body).toBe(first.body);
    expect(second.headers['x-cal-signature-256']).toBe(signatureOf(first.body, secret));
    expect(second.headers['x-cal-webhook-event-id']).toBe(first.headers['x-cal-webhook-event-id']);
    const [job] = await jobsOf(id);
    expect(job.returnvalue).toEqual({ delivered: true, status: 200, attempt: 2 });
  });

  it('renders payloadTemplate (JSON-escaped values) and signs the exact bytes sent; a non-JSON result goes as a form', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    const template =
      '{ "text": "{{triggerEvent}}: {{error.type}} for {{ user.email }}", "detail": "{{error.message}}", ' +
      '"userId": {{user.id}}, "credential": {{credential}} }';
    const json = await createWebhook(org.id, auth, {
      subscriberUrl: receiver.url('/templated'),
      secret,
      payloadTemplate: template,
    });
    await createWebhook(org.id, auth, {
      subscriberUrl: receiver.url('/form'),
      payloadTemplate: 'type={{error.type}}&user={{user.id}}',
    });
    const event = failure(org.id);
    const message = 'Client "123" is not authorized\nat all';
    await publishMemberFailure({
      ...event,
      error: new ProviderError('CLIENT_NOT_AUTHORIZED', message, 'google'),
    });
    await waitFor(async () => Promise.resolve(receiver.at('/templated').length === 1), 10_000, 'templated');
    await waitFor(async () => Promise.resolve(receiver.at('/form').length === 1), 10_000, 'form');
    const [delivery] = receiver.at('/templated');
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['x-cal-signature-256']).toBe(signatureOf(delivery.body, secret));
    expect(delivery.body).toBe(
      JSON.stringify({
        text: `${ERROR}: CLIENT_NOT_AUTHORIZED for ${event.user.email}`,
        detail: message,
        userId: event.user.id,
        credential: { ...event.credential, delegationCredentialId: event.delegationCredentialId },
      }),
    );
    const [form] = receiver.at('/form');
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.body).toBe(`type=CLIENT_NOT_AUTHORIZED&user=${event.user.id}`);
    expect((await jobsOf(json))[0].data.payload).toMatchObject({ triggerEvent: ERROR }); // the job keeps the event
  });

  it('sends unsigned without a secret, gives up on a 410 after one attempt, and queues nothing without webhooks', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    receiver.statuses.set('/gone', [410, 410, 410]);
    await createWebhook(org.id, auth, { subscriberUrl: receiver.url('/unsigned') });
    const gone = await createWebhook(org.id, auth, { subscriberUrl: receiver.url('/gone'), secret });
    await publishMemberFailure(failure(org.id));
    await waitFor(async () => (await jobsOf(gone))[0]?.finishedOn !== undefined, 10_000, 'the 410 delivery');
    await waitFor(async () => Promise.resolve(receiver.at('/unsigned').length === 1), 10_000, 'unsigned');
    expect(receiver.at('/unsigned')[0].headers['x-cal-signature-256']).toBeUndefined();
    const [job] = await jobsOf(gone);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(receiver.at('/gone')).toHaveLength(1);

    const lonely = await t.fixtures.org();
    const before = (await queue.getJobCounts()).completed;
    await expect(publishMemberFailure(failure(lonely.id))).resolves.toBeUndefined();
    await sleep(200);
    expect((await queue.getJobCounts()).completed).toBe(before);
  });

  it('ends a queued delivery without sending when the webhook was deleted or deactivated since', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    const id = await createWebhook(org.id, auth, { subscriberUrl: receiver.url('/later'), secret });
    await http()
      .patch(`${base(org.id)}/${id}`)
      .set(auth)
      .send({ active: false })
      .expect(200);
    const jobs = t.app.get(JobsService);
    const payload = { triggerEvent: ERROR, createdAt: new Date().toISOString(), payload: {} };
    const missing = randomUUID();
    for (const webhookId of [id, missing])
      await jobs.dispatch(JOB.DELIVER_WEBHOOK, {
        webhookId,
        eventId: randomUUID(),
        triggerEvent: ERROR,
        payload,
      });
    await waitFor(
      async () => (await Promise.all([id, missing].map(jobsOf))).every(([j]) => j?.finishedOn !== undefined),
      10_000,
      'the skipped deliveries',
    );
    expect((await jobsOf(id))[0].returnvalue).toEqual({ delivered: false, skipped: 'webhook inactive' });
    expect((await jobsOf(missing))[0].returnvalue).toEqual({ delivered: false, skipped: 'webhook deleted' });
    expect(receiver.at('/later')).toEqual([]);
  });
});
