import { createSign } from 'node:crypto';
import type { GoogleServiceAccountJson } from './fake-google';
import { FakeProviderServer } from './fake-provider.server';

const SCOPE = 'https://www.googleapis.com/auth/calendar';

/** The fake's Google token endpoint and Calendar auth, driven with hand-made assertions (no SDK). */
describe('FakeProviderServer Google protocol checks', () => {
  let fake: FakeProviderServer;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  /** A JWT-bearer assertion signed like google-auth-library does, with overridable claims. */
  function assertion(
    key: GoogleServiceAccountJson,
    claims: Record<string, unknown> = {},
    signingKey = key.private_key,
  ) {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const payload = {
      iss: key.client_email,
      scope: SCOPE,
      aud: 'https://oauth2.googleapis.com/token',
      iat: now,
      exp: now + 3600,
      ...claims,
    };
    const unsigned = `${encode({ alg: 'RS256' })}.${encode(payload)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(signingKey, 'base64url')}`;
  }
  const googleToken = (jwt: string) =>
    call(
      'POST',
      '/token',
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwt,
      }).toString(),
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );

  beforeAll(async () => {
    fake = await FakeProviderServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('token endpoint checks the assertion like Google', () => {
    let key: GoogleServiceAccountJson;
    beforeEach(async () => {
      key = await fake.createGoogleServiceAccount();
      fake.addGoogleUser('kim@hooli.test');
      fake.authorizeDomainWideDelegation('hooli.test', key.client_id);
    });

    it('issues a token for a valid, allow-listed impersonation', async () => {
      const { status, body } = await googleToken(assertion(key, { sub: 'kim@hooli.test' }));
      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(fake.tokenMints('kim@hooli.test')).toBe(1);
    });

    it.each([
      [
        'a signature by another key',
        async () =>
          assertion(key, { sub: 'kim@hooli.test' }, (await fake.createGoogleServiceAccount()).private_key),
        'Invalid JWT Signature.',
      ],
      [
        'a wrong audience',
        () => assertion(key, { sub: 'kim@hooli.test', aud: 'https://example.com/token' }),
        'Invalid JWT: Failed audience check.',
      ],
      [
        'an expired assertion',
        () => assertion(key, { sub: 'kim@hooli.test', iat: 1_000_000, exp: 1_003_600 }),
        /iat and exp/,
      ],
      [
        'a lifetime over an hour',
        () => assertion(key, { sub: 'kim@hooli.test', exp: Math.floor(Date.now() / 1000) + 7200 }),
        /short-lived/,
      ],
      [
        'an unknown issuer',
        () =>
          assertion({ ...key, client_email: 'ghost@p.iam.gserviceaccount.com' }, { sub: 'kim@hooli.test' }),
        'Invalid grant: account not found',
      ],
      ['an unknown subject', () => assertion(key, { sub: 'nobody@hooli.test' }), 'Invalid email or User ID'],
    ])('rejects %s with 400 invalid_grant', async (_name, build, description) => {
      const { status, body } = await googleToken(await build());
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_grant');
      expect(body.error_description).toEqual(
        typeof description === 'string' ? description : expect.stringMatching(description),
      );
    });

    it("answers 401 unauthorized_client with Google's body when the client is not allow-listed for the scope", async () => {
      const { status, body } = await googleToken(
        assertion(key, {
          sub: 'kim@hooli.test',
          scope: `${SCOPE} https://www.googleapis.com/auth/gmail.readonly`,
        }),
      );
      expect(status).toBe(401);
      expect(body).toEqual({
        error: 'unauthorized_client',
        error_description:
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      });
    });

    it('Calendar accepts only its own tokens, each for its own subject', async () => {
      fake.addGoogleUser('lee@hooli.test');
      const kim = (await googleToken(assertion(key, { sub: 'kim@hooli.test' }))).body.access_token as string;
      const list = await call('GET', '/calendar/v3/users/me/calendarList', undefined, {
        authorization: `Bearer ${kim}`,
      });
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: 'kim@hooli.test', primary: true, accessRole: 'owner' }),
      ]);
      const forged = await call('GET', '/calendar/v3/users/me/calendarList', undefined, {
        authorization: 'Bearer ya29.forged',
      });
      expect(forged).toMatchObject({ status: 401, body: { error: { status: 'UNAUTHENTICATED' } } });
      const intoLee = await call(
        'POST',
        `/calendar/v3/calendars/${encodeURIComponent('lee@hooli.test')}/events`,
        { summary: 'x' },
        { authorization: `Bearer ${kim}` },
      );
      expect(intoLee.status).toBe(404);
    });
  });
});
