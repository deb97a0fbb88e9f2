import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { useTestApp } from './utils/app';
import { ERROR_ENVELOPE, REQUEST_ID } from './utils/fuzz-harness';

/**
 * Every failure the generated-input suite (test/fuzz.e2e-spec.ts) found, as a fixed request: the fast-check seed it
 * was found with, then what the service must answer. Each fix covers the whole kind, so each case also tries its
 * neighbours.
 */
describe('Generated-input findings, fixed (e2e regressions)', () => {
  const t = useTestApp();
  const http = () => request(t.app.getHttpServer());

  /** Writes `raw` on a plain TCP connection and returns everything the server answered before closing. */
  async function rawExchange(raw: string): Promise<{ status: number; headers: string; body: string }> {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(raw));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const [head, body = ''] = answer.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), headers: head, body };
  }

  afterAll(async () => {
    const server = t.app.getHttpServer();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // Found with seed=-1630841264: a 16 KB query string (busy-times) was refused by Node's HTTP parser with a bare
  // "431" — no envelope, no X-Request-Id. The kind: everything Node refuses before the app sees the request.
  describe('requests refused by the HTTP parser', () => {
    it('a request line beyond the header size limit: 431 in the envelope with a request id', async () => {
      const res = await http().get(`/v2/calendars/busy-times?delegationCredentialId=${'x'.repeat(20_000)}`);
      expect(res.status).toBe(431);
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(res.body).toEqual(ERROR_ENVELOPE);
      expect(res.body.error.code).toBe('RequestHeaderFieldsTooLargeException');
    });

    it('headers beyond the limit: 431 in the envelope, the header value not echoed', async () => {
      const res = await http()
        .get('/v2/conferencing')
        .set('Authorization', `Bearer cal_${'s'.repeat(20_000)}`);
      expect(res.status).toBe(431);
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(res.body).toEqual(ERROR_ENVELOPE);
      expect(res.text).not.toContain('sssssssss');
    });

    it('malformed HTTP (request line, version, header, duplicate Content-Length): 400 in the envelope', async () => {
      for (const raw of [
        'GARBAGE\r\n\r\n',
        'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
        'GET /hea\u0001lth HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET /health HTTP/7.0\r\nHost: x\r\n\r\n',
        'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      ]) {
        const answer = await rawExchange(raw);
        expect({ raw, status: answer.status }).toEqual({ raw, status: 400 });
        expect(answer.headers).toMatch(/X-Request-Id: [0-9a-f-]{36}/i);
        expect(JSON.parse(answer.body)).toEqual(ERROR_ENVELOPE);
      }
    });
  });

  // Found with seed=998826033: a gzip-encoded body that is not gzip answered 500 (the body reader's error was not
  // recognised). The kind: every error the body reader raises before the handler.
  describe('bodies the body reader refuses', () => {
    const cases: { encoding?: string; type: string; body: string; status: number }[] = [
      { encoding: 'gzip', type: 'application/json', body: '{"a":1}', status: 400 },
      { encoding: 'deflate', type: 'application/json', body: 'not deflate', status: 400 },
      { encoding: 'br', type: 'application/json', body: 'not brotli', status: 400 },
      { encoding: 'x-bogus', type: 'application/json', body: '{}', status: 415 },
      { encoding: 'gzip, gzip', type: 'application/json', body: '{}', status: 415 },
      { type: 'application/json; charset=utf-16', body: '{}', status: 400 },
      { type: 'application/json; charset=latin1', body: '{}', status: 415 },
      { type: 'application/json', body: '{"a":', status: 400 },
      { type: 'application/json', body: `{"a":"${'x'.repeat(1024 * 1024)}"}`, status: 413 },
    ];
    it.each(cases.map((c) => ({ ...c, name: `${c.type} ${c.encoding ?? ''}` })))(
      '$name → $status in the envelope',
      async ({ encoding, type, body, status }) => {
        const req = http().post('/v2/calendars/google/credentials').set('Content-Type', type);
        if (encoding) req.set('Content-Encoding', encoding);
        const res = await req.send(body);
        expect(res.status).toBe(status);
        expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
        expect(res.body).toEqual(ERROR_ENVELOPE);
      },
    );
  });

  // Found with seed=716897444: a body nested 3,241 levels deep exhausted the stack in class-transformer (500). The
  // kind: any deeply nested JSON body, wherever the nesting sits, on every route.
  describe('deeply nested bodies', () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

    it.each([
      [
        'POST',
        '/v2/organizations/1/delegation-credentials/00000000-0000-0000-0000-000000000000/verify',
        deep(5000),
      ],
      ['POST', '/v2/calendars/google/credentials', `{"email":"a@b.c","accessToken":${deep(100_000)}}`],
      ['PUT', '/v2/destination-calendars', `[${'['.repeat(50_000)}${']'.repeat(50_000)}]`],
      ['POST', '/health', deep(40)],
    ])('%s %s: 400 in the envelope before any handler', async (method, path, body) => {
      const res = await http()
        [method.toLowerCase() as 'post'](path)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(ERROR_ENVELOPE);
      expect(res.body.error.message).toBe('Request body is nested too deeply');
    });

    it('a body within the depth limit still reaches the route', async () => {
      const res = await http()
        .post('/v2/calendars/google/credentials')
        .set('Content-Type', 'application/json')
        .send(deep(20));
      expect(res.status).toBe(401);
    });
  });

  // Found with seed=-1007027791 (after 3,425 runs): an attendee email with a lone surrogate escape ("\ud800") made
  // validator.js's isEmail throw URIError (500). The kind: strings that are not well-formed Unicode anywhere in a
  // JSON body (values and keys) — refused at the body parser, so no validator sees them and PostgreSQL never stores
  // U+FFFD in their place; and any validator that throws answers 400.
  describe('strings that are not well-formed Unicode', () => {
    it.each([
      [
        'attendee email',
        '/v2/calendars/google/events',
        '{"title":"t","start":"2031-01-01T10:00:00Z","end":"2031-01-01T11:00:00Z","attendees":[{"email":"\\ud800"}]}',
      ],
      ['a key', '/v2/calendars/apple/credentials', '{"\\udfff":"x"}'],
      [
        'a low surrogate first',
        '/v2/calendars/apple/credentials',
        '{"username":"\\udc00\\ud800","password":"p"}',
      ],
    ])('%s: 400 in the envelope', async (_what, path, body) => {
      const { auth } = await t.fixtures.orgWithAdmin();
      const res = await http().post(path).set(auth).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(ERROR_ENVELOPE);
      expect(res.body.error.message).toBe('Request body contains a string that is not well-formed Unicode');
    });

    it('nothing is stored: an org user whose name has a lone surrogate is refused, a surrogate pair is kept', async () => {
      const { org, auth } = await t.fixtures.orgWithAdmin();
      const email = `u-${Date.now()}@example.com`;
      const refused = await http()
        .post(`/v2/organizations/${org.id}/users`)
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(`{"email":"${email}","name":"a\\ud800b"}`);
      expect(refused.status).toBe(400);
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
      await http()
        .post(`/v2/organizations/${org.id}/users`)
        .set(auth)
        .send({ email, name: 'a💩b' })
        .expect(201);
      expect((await t.prisma.user.findUniqueOrThrow({ where: { email } })).name).toBe('a💩b');
    });
  });

  // Found with seed=156154505 (after 70 runs of the undocumented-path property, in a 6,000-case run): PATCH
  // /v2/calendars/google/events/%00 answered 500 (PostgreSQL text cannot hold U+0000). The kind: a NUL character
  // in a path parameter, a query value or any string of a JSON body — user names and webhook templates failed the
  // same way — refused with a 400 before any route.
  describe('NUL characters', () => {
    it.each([
      ['PATCH', '/v2/calendars/google/events/%00'],
      ['DELETE', '/v2/calendars/google/events/a%00b'],
      ['GET', '/v2/selected-calendars?integration=%00&externalId=x&credentialId=1'],
      ['GET', '/v2/organizations/1/webhooks/x%00'],
    ])('%s %s: 400 in the envelope', async (method, path) => {
      const { auth } = await t.fixtures.orgWithAdmin();
      const res = await http()[method.toLowerCase() as 'get'](path).set(auth);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(ERROR_ENVELOPE);
    });

    it('in a body string: 400, and nothing stored', async () => {
      const { org, auth } = await t.fixtures.orgWithAdmin();
      const email = `nul-${Date.now()}@example.com`;
      const user = await http()
        .post(`/v2/organizations/${org.id}/users`)
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(`{"email":"${email}","name":"a\\u0000b"}`);
      expect(user.status).toBe(400);
      expect(user.body.error.message).toBe('Request body contains a NUL character (\\u0000)');
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
      const hook = await http()
        .post(`/v2/organizations/${org.id}/webhooks`)
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(
          '{"subscriberUrl":"https://93.184.215.14/x","active":true,"triggers":["DELEGATION_CREDENTIAL_ERROR"],"payloadTemplate":"a\\u0000"}',
        );
      expect(hook.status).toBe(400);
      expect(await t.prisma.webhook.count({ where: { organizationId: org.id } })).toBe(0);
    });
  });
});
