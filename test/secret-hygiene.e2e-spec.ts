import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import request, { type Response } from 'supertest';
import {
  describeHits,
  type Hit,
  indexSealedSecrets,
  scanDatabase,
  scanRedis,
  SecretIndex,
} from '../scripts/secret-hygiene/scan';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/bootstrap';
import { LIFECYCLE_QUEUE, VERIFY_QUEUES, WEBHOOK_QUEUE } from '../src/jobs/jobs.types';
import { WorkerModule } from '../src/lifecycle/worker.module';
import { LOG_DESTINATION } from '../src/observability/logging/logging.module';
import { PrismaService } from '../src/prisma/prisma.service';
import { WorkspacePlatformsRepository } from '../src/workspace-platforms/workspace-platforms.repository';
import { waitForIntents } from './utils/app';
import { delegatedOrg } from './utils/delegated-org';
import { bearer, Fixtures, uniq } from './utils/fixtures';
import { type HttpReceiver, startReceiver } from './utils/http-receiver';
import { createIsolatedDatabase, setEnv } from './utils/isolated-database';
import { googleKeyJson } from './utils/keys';
import { startFakeProviders, type TestAppWithFakes } from './utils/providers';
import { waitFor } from './utils/worker';

/**
 * Secret hygiene (issue 15, suite 3): drives the main flows with known secrets — Google service account keys and
 * Entra client secrets (create, enable, verify, rotate, refused keys), webhook secrets (create, rotate, a signed
 * delivery by the worker), manual calendar passwords and tokens, API keys (valid, unknown, expired), platform OAuth
 * client secrets (valid and wrong) — and captures everything the service leaves: every response (status line,
 * headers, body), the API's and the worker's logs at the most verbose level (pino JSON, plus anything written to
 * stdout/stderr), every Redis key and value of the run's prefix, all BullMQ job data, the webhook deliveries, and
 * every database column outside the encrypted ones. Not one fragment of any secret may appear.
 *
 * The same scanner runs over the whole e2e run's database and Redis in the global teardown (the secrets there are
 * the ones the database holds sealed), and over `npm run demo -- --once --scan-secrets`.
 */
describe('Secret hygiene: no secret fragment in bodies, logs, Redis, jobs or the database (e2e)', () => {
  const logs: string[] = [];
  const responses: string[] = [];
  const index = new SecretIndex();
  let t: TestAppWithFakes;
  let worker: INestApplicationContext;
  let receiver: HttpReceiver;
  let restoreEnv: () => void;
  let stopFakes: () => Promise<void>;
  let database: { url: string; drop(): Promise<void> };
  const restoreStreams: (() => void)[] = [];

  const capture = { write: (chunk: string) => logs.push(chunk) };

  /** Tees whatever else reaches stdout/stderr while the flows run into the captured logs. */
  function teeStream(stream: NodeJS.WriteStream): void {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
    restoreStreams.push(() => (stream.write = original));
  }

  beforeAll(async () => {
    restoreEnv = setEnv({ LOG_LEVEL: 'verbose', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    database = await createIsolatedDatabase('hygiene');
    const fakes = await startFakeProviders();
    stopFakes = fakes.stop;
    receiver = await startReceiver();
    teeStream(process.stdout);
    teeStream(process.stderr);

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(capture)
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      bodyParser: false,
      bufferLogs: true,
    });
    configureApp(app);
    await app.init();
    await app.get(WorkspacePlatformsRepository).seedDefaults();
    const prisma = app.get(PrismaService);
    const queues = new Map<string, Queue>();
    const queue = (name: string) => {
      if (!queues.has(name))
        queues.set(
          name,
          new Queue(name, {
            connection: { host: '127.0.0.1', port: 6379 },
            prefix: process.env.QUEUE_PREFIX,
          }),
        );
      return queues.get(name)!;
    };
    t = {
      app,
      prisma,
      fixtures: new Fixtures(prisma),
      fake: fakes.fake,
      queue,
      intentsDispatched: (timeoutMs?: number) => waitForIntents(prisma, timeoutMs),
      close: async () => {
        for (const q of queues.values()) await q.close();
        await app.close();
      },
    };

    const workerRef = await Test.createTestingModule({ imports: [WorkerModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(capture)
      .compile();
    workerRef.useLogger(workerRef.get(PinoNestLogger));
    await workerRef.init();
    worker = workerRef;
  });

  afterAll(async () => {
    restoreStreams.forEach((restore) => restore());
    await worker?.close();
    await t?.close();
    await receiver?.close();
    await stopFakes?.();
    await database?.drop();
    restoreEnv?.();
  });

  /** Sends a request and keeps everything the client saw. */
  async function call(req: request.Test): Promise<Response> {
    const res = await req;
    responses.push(`${res.status} ${JSON.stringify(res.headers)}\n${res.text}`);
    return res;
  }
  const http = () => request(t.app.getHttpServer());

  it('drives the main flows with known secrets, then finds none of them anywhere', async () => {
    index.add('master key', process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY);

    // Google Workspace: created disabled, a webhook with a secret, members (one not in the directory), enabled.
    const g = await delegatedOrg(t, 'google', { enabled: false });
    const gKey = g.serviceAccountKey as { private_key: string };
    index.add('google service account key', gKey.private_key).add('google admin API key', g.apiKey);
    const webhookSecret = `whsec-${uniq()}${uniq()}${uniq()}`;
    index.add('webhook secret', webhookSecret);
    const hook = await call(
      http()
        .post(`/v2/organizations/${g.org.id}/webhooks`)
        .set(g.auth)
        .send({
          subscriberUrl: receiver.url('/hooks'),
          active: true,
          triggers: ['DELEGATION_CREDENTIAL_ERROR'],
          secret: webhookSecret,
        }),
    );
    expect(hook.status).toBe(201);
    const member = await g.member();
    index.add('google member API key', member.auth.Authorization.slice('Bearer '.length));
    const ghost = await t.fixtures.user(`ghost-${uniq()}@${g.domain}`);
    await t.fixtures.membership(ghost.id, g.org.id, 'MEMBER', true);
    expect(
      (
        await call(
          http()
            .patch(`/v2/organizations/${g.org.id}/delegation-credentials/${g.dcId}`)
            .set(g.auth)
            .send({ enabled: true }),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      async () => Promise.resolve(receiver.at('/hooks').length >= 1),
      30_000,
      'the signed webhook delivery',
    );
    expect(
      (
        await call(
          http().post(`/v2/organizations/${g.org.id}/delegation-credentials/${g.dcId}/verify`).set(g.auth),
        )
      ).status,
    ).toBe(200);

    // Key rotation: a key that passes the check, then one the provider refuses (400), then one that is not a key.
    const next = await t.fake.createGoogleServiceAccount();
    t.fake.authorizeDomainWideDelegation(g.domain, next.client_id);
    index.add('rotated google key', next.private_key);
    const dcUrl = `/v2/organizations/${g.org.id}/delegation-credentials/${g.dcId}`;
    expect((await call(http().patch(dcUrl).set(g.auth).send({ serviceAccountKey: next }))).status).toBe(200);
    const refused = await t.fake.createGoogleServiceAccount(); // never authorized for domain-wide delegation
    index.add('refused google key', refused.private_key);
    expect((await call(http().patch(dcUrl).set(g.auth).send({ serviceAccountKey: refused }))).status).toBe(
      400,
    );
    const notAKey = googleKeyJson({
      private_key: `-----BEGIN PRIVATE KEY-----\nnot-a-key-${uniq()}${uniq()}${uniq()}\n-----END PRIVATE KEY-----\n`,
    });
    index.add('malformed google key', notAKey.private_key.split('\n')[1]);
    const malformed = await call(
      http()
        .post(`/v2/organizations/${g.org.id}/delegation-credentials`)
        .set(g.auth)
        .send({ workspacePlatformSlug: 'google', domain: `${uniq()}.example`, serviceAccountKey: notAKey }),
    );
    expect(malformed.status).toBe(400);

    // Microsoft 365: enabled with its client secret, then a wrong secret refused by Entra on rotation.
    const m = await delegatedOrg(t, 'office365');
    index
      .add('entra client secret', (m.serviceAccountKey as { private_key: string }).private_key)
      .add('m365 admin API key', m.apiKey);
    expect(
      (
        await call(
          http().post(`/v2/organizations/${m.org.id}/delegation-credentials/${m.dcId}/verify`).set(m.auth),
        )
      ).status,
    ).toBe(200);
    const wrongSecret = `wrong~${uniq()}${uniq()}${uniq()}`;
    index.add('wrong entra client secret', wrongSecret);
    const rotated = await call(
      http()
        .patch(`/v2/organizations/${m.org.id}/delegation-credentials/${m.dcId}`)
        .set(m.auth)
        .send({ serviceAccountKey: { ...m.serviceAccountKey, private_key: wrongSecret } }),
    );
    expect(rotated.status).toBe(400);

    // What members see, and their manual calendar credentials.
    const mm = await m.connectedMember();
    index.add('m365 member API key', mm.auth.Authorization.slice('Bearer '.length));
    expect((await call(http().get('/v2/calendars').set(member.auth))).status).toBe(200);
    expect(
      (
        await call(
          http().post('/v2/calendars/google/events').set(member.auth).send({
            title: 'Hygiene',
            start: '2031-06-01T09:00:00Z',
            end: '2031-06-01T09:30:00Z',
            conference: true,
          }),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await call(
          http().post('/v2/calendars/office365/events').set(mm.auth).send({
            title: 'Hygiene',
            start: '2031-06-01T09:00:00Z',
            end: '2031-06-01T09:30:00Z',
            conference: true,
          }),
        )
      ).status,
    ).toBe(201);
    const applePassword = `apple-${uniq()}${uniq()}${uniq()}`;
    const accessToken = `ya29.${uniq()}${uniq()}${uniq()}${uniq()}`;
    index.add('apple app-specific password', applePassword).add('manual access token', accessToken);
    expect(
      (
        await call(
          http()
            .post('/v2/calendars/apple/credentials')
            .set(member.auth)
            .send({ username: `m-${uniq()}@icloud.com`, password: applePassword }),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await call(
          http()
            .post('/v2/calendars/google/credentials')
            .set(member.auth)
            .send({ email: member.user.email, accessToken }),
        )
      ).status,
    ).toBe(201);

    // Webhook secret rotation; platform OAuth client (right and wrong secret); unknown and expired API keys.
    const newWebhookSecret = `whsec-${uniq()}${uniq()}${uniq()}`;
    index.add('rotated webhook secret', newWebhookSecret);
    expect(
      (
        await call(
          http()
            .patch(`/v2/organizations/${g.org.id}/webhooks/${hook.body.data.id}`)
            .set(g.auth)
            .send({ secret: newWebhookSecret }),
        )
      ).status,
    ).toBe(200);
    const client = await t.fixtures.oauthClient(g.org.id);
    index.add('oauth client secret', client.secret);
    const clientHeaders = { 'x-cal-client-id': client.id, 'x-cal-secret-key': client.secret };
    expect(
      (await call(http().get(`/v2/organizations/${g.org.id}/delegation-credentials`).set(clientHeaders)))
        .status,
    ).toBe(200);
    const wrongClientSecret = `wrong-${uniq()}${uniq()}${uniq()}`;
    index.add('wrong oauth client secret', wrongClientSecret);
    expect(
      (
        await call(
          http()
            .get(`/v2/organizations/${g.org.id}/webhooks`)
            .set({ 'x-cal-client-id': client.id, 'x-cal-secret-key': wrongClientSecret }),
        )
      ).status,
    ).toBe(401);
    const unknownKey = `cal_${uniq()}${uniq()}${uniq()}${uniq()}`;
    const expiredKey = await t.fixtures.apiKey(g.admin.id, { expiresAt: new Date(Date.now() - 1000) });
    index.add('unknown API key', unknownKey).add('expired API key', expiredKey);
    expect((await call(http().get('/v2/calendars').set(bearer(unknownKey)))).status).toBe(401);
    expect((await call(http().get('/v2/calendars').set(bearer(expiredKey)))).status).toBe(401);
    expect(
      (
        await call(
          http().get(`/v2/organizations/${g.org.id}/delegation-credentials/${g.dcId}/audit`).set(g.auth),
        )
      ).status,
    ).toBe(200);

    // The secrets of record: everything the database holds sealed must be among the secrets scanned for.
    const sealed = new SecretIndex();
    const sealedCount = await indexSealedSecrets(
      database.url,
      process.env.SERVICE_ACCOUNT_ENCRYPTION_KEY,
      undefined,
      sealed,
    );
    // The current Google and Microsoft keys, the rotated webhook secret, the Apple password and the access token.
    expect(sealedCount).toBe(5);

    // The worker really ran (jobs done, a delivery signed) and the captures are not empty.
    const jobs = [];
    for (const name of [LIFECYCLE_QUEUE, WEBHOOK_QUEUE, ...Object.values(VERIFY_QUEUES)])
      jobs.push(
        ...(await t
          .queue(name)
          .getJobs(['completed', 'failed', 'waiting', 'delayed', 'active', 'prioritized'])),
      );
    expect(jobs.length).toBeGreaterThan(3);
    expect(receiver.at('/hooks')[0].headers['x-cal-signature-256']).toMatch(/^[0-9a-f]{64}$/);
    expect(logs.length).toBeGreaterThan(50);

    const hits: Hit[] = [];
    responses.forEach((text, i) => hits.push(...index.scan(`response #${i}`, text)));
    hits.push(...index.scan('logs (API and worker)', logs.join('')));
    for (const d of receiver.at('/hooks'))
      hits.push(...index.scan('webhook delivery', `${JSON.stringify(d.headers)}\n${d.body}`));
    for (const job of jobs)
      hits.push(
        ...index.scan(
          `job ${job.queueName}/${job.name}`,
          JSON.stringify({
            data: job.data,
            returnvalue: job.returnvalue,
            failedReason: job.failedReason,
            stacktrace: job.stacktrace,
            progress: job.progress,
          }),
        ),
      );
    const redis = await scanRedis(
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      `*${process.env.QUEUE_PREFIX}*`,
      index,
    );
    expect(redis.keys).toBeGreaterThan(0);
    hits.push(...redis.hits);
    hits.push(...(await scanDatabase(database.url, index)));
    expect(describeHits(hits)).toBe('');
  }, 120_000);

  it('the scanner finds what it is looking for: a fragment in any form, anywhere (control)', () => {
    const pem = googleKeyJson().private_key;
    const probe = new SecretIndex().add('pem', pem).add('token', 'tok-0123456789abcdef0123');
    const line = pem.split('\n')[5];
    expect(probe.scan('raw line', `x${line.slice(10, 40)}y`)).toHaveLength(1);
    expect(probe.scan('json escaped', JSON.stringify({ k: pem.slice(200, 260) }))).toHaveLength(1);
    expect(
      probe.scan('base64', Buffer.from(`prefix ${pem.slice(300, 360)}`).toString('base64')),
    ).toHaveLength(1);
    expect(probe.scan('url encoded', encodeURIComponent('tok-0123456789abcdef0123'))).toHaveLength(1);
    expect(probe.scan('the shared RSA header line is not a secret', pem.split('\n')[1])).toEqual([]);
    expect(probe.scan('clean', 'nothing to see here, just text of the service')).toEqual([]);
  });
});
