import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/bootstrap';
import { LOG_DESTINATION } from '../src/observability/logging/logging.module';
import { PrismaService } from '../src/prisma/prisma.service';
import { WorkspacePlatformsRepository } from '../src/workspace-platforms/workspace-platforms.repository';
import { Fixtures, uniq } from './utils/fixtures';
import { googleKeyJson } from './utils/keys';

type Line = Record<string, unknown>;

/**
 * The API's structured logs, captured from the logging module's destination at the most verbose level: one
 * access line per request, the request id on every line the request causes, and none of the redacted values.
 */
describe('Structured logs (e2e)', () => {
  const output: string[] = [];
  const lines = (): Line[] =>
    output.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Line);
  let app: NestExpressApplication;
  let fixtures: Fixtures;
  const previousLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'verbose';
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue({ write: (chunk: string) => output.push(chunk) })
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
    configureApp(app);
    await app.init();
    await app.get(WorkspacePlatformsRepository).seedDefaults();
    fixtures = new Fixtures(app.get(PrismaService));
  });

  afterAll(async () => {
    await app.close();
    process.env.LOG_LEVEL = previousLevel;
  });

  const http = () => request(app.getHttpServer());

  it('writes one access line per request: request id, method, route pattern, status, duration, user and org', async () => {
    const { org, admin, auth } = await fixtures.orgWithAdmin();
    const res = await http()
      .get(`/v2/organizations/${org.id}/delegation-credentials?take=5`)
      .set(auth)
      .expect(200);
    const requestId = res.headers['x-request-id'];
    const access = lines().filter((l) => l.requestId === requestId && l.route !== undefined);
    expect(access).toEqual([
      expect.objectContaining({
        level: 30,
        requestId,
        method: 'GET',
        route: '/v2/organizations/:orgId/delegation-credentials',
        path: `/v2/organizations/${org.id}/delegation-credentials`,
        status: 200,
        durationMs: expect.any(Number),
        userId: admin.id,
        orgId: org.id,
        msg: 'GET /v2/organizations/:orgId/delegation-credentials 200',
      }),
    ]);
  });

  it('puts the request id on every line the request causes', async () => {
    const { org, auth } = await fixtures.orgWithAdmin();
    const member = await fixtures.user();
    const res = await http()
      .post(`/v2/organizations/${org.id}/memberships`)
      .set(auth)
      .send({ userId: member.id, role: 'MEMBER', accepted: true })
      .expect(201);
    const requestId = res.headers['x-request-id'];
    const ofRequest = lines().filter((l) => l.requestId === requestId);
    // The job intent recorded inside the handler logged through Nest's Logger, and the access line closed the request.
    expect(ofRequest).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          context: 'JobIntents',
          msg: expect.stringContaining('recorded sync-member'),
        }),
        expect.objectContaining({ status: 201, route: '/v2/organizations/:orgId/memberships' }),
      ]),
    );
    const queued = lines().filter((l) => String(l.msg).startsWith('recorded sync-member'));
    expect(queued.every((l) => typeof l.requestId === 'string')).toBe(true);
  });

  it('redacts credentials, cookies, service account keys and webhook secrets wherever they are logged', async () => {
    const { org, auth, apiKey } = await fixtures.orgWithAdmin({ domain: `${uniq()}.example` });
    const key = googleKeyJson();
    const clientId = `client-${uniq()}`;
    const clientSecret = `client-secret-${uniq()}${uniq()}`;
    const cookie = `session-${uniq()}${uniq()}`;
    const webhookSecret = `whsec-${uniq()}${uniq()}`;
    const privateKeyBody = key.private_key.split('\n')[1];

    await http()
      .post(`/v2/organizations/${org.id}/delegation-credentials`)
      .set(auth)
      .set('Cookie', `sid=${cookie}`)
      .send({ workspacePlatformSlug: 'google', domain: `${uniq()}.example`, serviceAccountKey: key })
      .expect(201);
    await http()
      .post(`/v2/organizations/${org.id}/webhooks`)
      .set(auth)
      .send({
        subscriberUrl: 'https://93.184.215.14/hook',
        active: true,
        triggers: ['DELEGATION_CREDENTIAL_ERROR'],
        secret: webhookSecret,
      })
      .expect(201);
    await http()
      .get(`/v2/organizations/${org.id}/delegation-credentials`)
      .set('x-cal-client-id', clientId)
      .set('x-cal-secret-key', clientSecret)
      .expect(401);

    // Code that logs a whole request, or an SDK error carrying the request it sent, at any depth.
    const logger = new Logger('RedactionProbe');
    logger.log({
      req: {
        headers: {
          authorization: `Bearer ${apiKey}`,
          cookie,
          'x-cal-client-id': clientId,
          'x-cal-secret-key': clientSecret,
        },
      },
      body: { serviceAccountKey: key, webhook: { secret: webhookSecret } },
    });
    logger.warn({
      err: {
        config: { headers: { Authorization: `Bearer ${apiKey}` }, data: { private_key: key.private_key } },
      },
    });
    logger.error({ private_key: key.private_key, secret: webhookSecret });

    const text = output.join('');
    for (const value of [
      apiKey,
      apiKey.slice(4),
      clientId,
      clientSecret,
      cookie,
      webhookSecret,
      privateKeyBody,
      key.client_email,
    ]) {
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
    const probe = lines().filter((l) => l.context === 'RedactionProbe');
    expect(probe).toHaveLength(3);
    expect(probe[0]).toMatchObject({
      req: {
        headers: {
          authorization: '[Redacted]',
          cookie: '[Redacted]',
          'x-cal-client-id': '[Redacted]',
          'x-cal-secret-key': '[Redacted]',
        },
      },
      body: { serviceAccountKey: '[Redacted]', webhook: { secret: '[Redacted]' } },
    });
    // Access lines keep the non-secret headers.
    const access = lines().find((l) => l.status === 401 && (l.req as Line | undefined)?.headers);
    expect((access!.req as { headers: Line }).headers).toMatchObject({
      'x-cal-client-id': '[Redacted]',
      'x-cal-secret-key': '[Redacted]',
      host: expect.any(String),
    });
  });
});
