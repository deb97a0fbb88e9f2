import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyStatus, DeliveryError, deliver, signBody } from './webhook-sender';

describe('webhook sender', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      handler(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  beforeEach(() => {
    hits.length = 0;
  });

  const body = Buffer.from('{"a":1}');
  const send = (path: string, options: { allowPrivate?: boolean; timeoutMs?: number } = {}) =>
    deliver({
      url: `${base}${path}`,
      body,
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: options.timeoutMs ?? 2000,
      allowPrivate: options.allowPrivate ?? true,
    });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  };

  it('classifies statuses: 2xx done, 408/429/5xx retried, other 4xx and 3xx final', () => {
    expect(classifyStatus(204)).toBeNull();
    for (const status of [408, 429, 500, 503]) expect(classifyStatus(status)?.retryable).toBe(true);
    for (const status of [301, 400, 401, 404, 410]) expect(classifyStatus(status)?.retryable).toBe(false);
  });

  it('POSTs the exact bytes and resolves on 2xx', async () => {
    let received = '';
    handler = (req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.writeHead(200).end('ok'));
    };
    expect(await send('/ok')).toBe(200);
    expect(received).toBe('{"a":1}');
    expect(signBody(body, 's3cret')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => res.writeHead(302, { Location: `${base}/elsewhere` }).end();
    const error = await failure(send('/redirect'));
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/302/) });
    expect(hits).toEqual(['/redirect']);
  });

  it('times out an attempt that gets no answer (retryable)', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const error = await failure(send('/slow', { timeoutMs: 300 }));
    expect(error).toMatchObject({ retryable: true, message: 'no response within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a private destination unless allowed, without connecting', async () => {
    handler = (_req, res) => res.writeHead(200).end();
    const error = await failure(send('/private', { allowPrivate: false }));
    expect(error.retryable).toBe(false);
    const port = (server.address() as AddressInfo).port;
    const byName = await failure(
      deliver({ url: `http://localhost:${port}/x`, body, headers: {}, timeoutMs: 1000, allowPrivate: false }),
    );
    expect(byName.retryable).toBe(false);
    expect(hits).toEqual([]);
  });

  it('retries a refused connection', async () => {
    const error = await failure(
      deliver({ url: 'http://127.0.0.1:1/x', body, headers: {}, timeoutMs: 1000, allowPrivate: true }),
    );
    expect(error.retryable).toBe(true);
  });
});
