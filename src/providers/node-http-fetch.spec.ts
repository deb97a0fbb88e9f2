import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { networkFailure } from './network-errors';
import { MAX_RESPONSE_BYTES, nodeHttpFetch } from './node-http-fetch';

describe('nodeHttpFetch (the Google SDK transport)', () => {
  let server: http.Server;
  let base: string;
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/gzip') {
          res.setHeader('content-encoding', 'gzip');
          res.setHeader('content-type', 'application/json');
          res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        } else if (req.url === '/bomb') {
          // ~40 KB on the wire, 1 MiB past the limit once decoded.
          res.setHeader('content-encoding', 'gzip');
          res.end(zlib.gzipSync(Buffer.alloc(MAX_RESPONSE_BYTES + 1024 * 1024)));
        } else if (req.url === '/huge') {
          const chunk = Buffer.alloc(1024 * 1024, 0x61);
          let sent = 0;
          const more = () => {
            while (sent <= MAX_RESPONSE_BYTES && !res.destroyed) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', more);
            }
            res.end();
          };
          more();
        } else if (req.url === '/cut') {
          res.setHeader('content-length', '100');
          res.write('{"a":');
          setTimeout(() => res.socket?.destroy(), 10);
        } else if (req.url === '/empty') {
          res.statusCode = 204;
          res.end();
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('late'), 500);
        } else {
          res.statusCode = req.url === '/missing' ? 404 : 200;
          res.setHeader('content-type', 'application/json');
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.end(JSON.stringify({ path: req.url }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends method, headers and body; answers a Response with status, headers and body', async () => {
    const res = await nodeHttpFetch(`${base}/x?q=1`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer t' }),
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await res.json()).toEqual({ path: '/x?q=1' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    });
  });

  it('sends URLSearchParams bodies (the token request) and answers error statuses as Responses', async () => {
    const res = await nodeHttpFetch(`${base}/missing`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'x', assertion: 'y' }),
    });
    expect(res.status).toBe(404);
    expect(res.ok).toBe(false);
    expect(seen.at(-1)?.body).toBe('grant_type=x&assertion=y');
  });

  it('decodes gzip answers as fetch does, and gives 204 no body', async () => {
    const zipped = await nodeHttpFetch(`${base}/gzip`);
    expect(zipped.headers.get('content-encoding')).toBeNull();
    expect(await zipped.json()).toEqual({ zipped: true });
    const empty = await nodeHttpFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('rejects with the signal reason on a timeout, and with the system error code when unreachable', async () => {
    const timeout = await nodeHttpFetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }).catch(
      (e: unknown) => e,
    );
    expect(timeout).toMatchObject({ name: 'TimeoutError' });
    expect(networkFailure(timeout).timedOut).toBe(true);
    const refused = await nodeHttpFetch('http://127.0.0.1:1/').catch((e: unknown) => e);
    expect(networkFailure(refused, 'http://127.0.0.1:1/')).toMatchObject({
      reason: 'ECONNREFUSED',
      timedOut: false,
    });
  });

  it('refuses an answer larger than MAX_RESPONSE_BYTES, on the wire or once decoded (a gzip bomb)', async () => {
    const huge = await nodeHttpFetch(`${base}/huge`).catch((e: unknown) => e);
    expect(huge).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
    const bomb = await nodeHttpFetch(`${base}/bomb`).catch((e: unknown) => e);
    expect(bomb).toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
    // The connection pool still works afterwards.
    expect(await (await nodeHttpFetch(`${base}/after`)).json()).toEqual({ path: '/after' });
  });

  it('rejects an answer cut short (ECONNRESET), never resolves it truncated', async () => {
    const cut = await nodeHttpFetch(`${base}/cut`).catch((e: unknown) => e);
    expect(cut).toMatchObject({ code: 'ECONNRESET' });
    expect(await (await nodeHttpFetch(`${base}/after`)).json()).toEqual({ path: '/after' });
  });
});
