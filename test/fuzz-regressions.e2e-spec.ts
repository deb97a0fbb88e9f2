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
});
