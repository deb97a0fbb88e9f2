import request from 'supertest';
import { useTestApp } from './utils/app';

describe('Health, request ids, error envelope (e2e)', () => {
  const t = useTestApp();

  it('GET /health answers 200 (liveness)', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('GET /health/ready reports PostgreSQL up, and Redis and pending job intents under jobs', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.info).toEqual({
      database: { status: 'up' },
      jobs: {
        status: 'up',
        redis: 'up',
        pendingIntents: expect.any(Number),
        oldestPendingSeconds: expect.any(Number),
      },
    });
  });

  it('puts a fresh X-Request-Id on every response, ignoring the client value', async () => {
    const a = await request(t.app.getHttpServer()).get('/health').set('X-Request-Id', 'mine');
    const b = await request(t.app.getHttpServer()).get('/nope');
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('answers an unknown route with 404 in the error envelope', async () => {
    const res = await request(t.app.getHttpServer()).get('/v2/nothing-here').expect(404);
    expect(res.body).toEqual({
      status: 'error',
      timestamp: expect.any(String),
      path: '/v2/nothing-here',
      error: { code: 'NotFoundException', message: 'Cannot GET /v2/nothing-here' },
    });
  });

  it('answers malformed JSON with 400 in the envelope', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v2/organizations/1/delegation-credentials')
      .set('Content-Type', 'application/json')
      .send('{"domain":')
      .expect(400);
    expect(res.body.status).toBe('error');
    expect(res.body.error.code).toBe('BadRequestException');
  });

  it('answers a body over the JSON limit with 413', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v2/organizations/1/delegation-credentials')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(res.body.error).toEqual({
      code: 'PayloadTooLargeException',
      message: 'Request body is too large',
    });
  });

  it('sends CORS headers as Cal.com does', async () => {
    const res = await request(t.app.getHttpServer())
      .options('/v2/organizations/1/delegation-credentials')
      .set('Origin', 'https://example.org')
      .set('Access-Control-Request-Method', 'PATCH')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toContain('x-cal-client-id');
    expect(res.headers['access-control-max-age']).toBe('86400');
  });
});
