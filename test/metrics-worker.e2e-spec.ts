import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import { type HttpReceiver, startReceiver } from './utils/http-receiver';
import { metricSum } from './utils/prometheus';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { spawnWorker, waitFor } from './utils/worker';

const TOKEN = 'worker-metrics-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A real worker process (`npm run worker`) with METRICS_PORT: after a known workload — provisioning, member
 * verification through the Google sandbox, a member the directory does not know, its DELEGATION_CREDENTIAL_ERROR
 * webhook — its /metrics shows the jobs, provider calls, token mints and deliveries, and its logs carry job context.
 */
describe('Worker /metrics and job logs (e2e)', () => {
  const previousPrivate = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  let t: TestAppWithFakes;
  let receiver: HttpReceiver;
  let worker: ChildProcess | undefined;
  let port: number;
  const stdout: string[] = [];

  beforeAll(async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE_URLS = 'true';
    t = await createTestAppWithFakes();
    receiver = await startReceiver();
    port = await freePort();
    worker = spawnWorker({
      METRICS_PORT: String(port),
      METRICS_TOKEN: TOKEN,
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'json',
    });
    worker.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined))?.status === 401,
      60_000,
      'the worker metrics server',
    );
  }, 90_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    await receiver.close();
    await t.close();
    if (previousPrivate === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    else process.env.WEBHOOK_ALLOW_PRIVATE_URLS = previousPrivate;
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('answers 401 without the token and 404 elsewhere', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect(await scrape()).toContain('process_resident_memory_bytes');
  });

  it('shows jobs, provider calls, token mints and webhook deliveries move after a known workload', async () => {
    const before = await scrape();
    const dc = await delegatedOrg(t, 'google', { enabled: false });
    const good = await dc.member();
    const ghost = await t.fixtures.user(`ghost-${uniq()}@${dc.domain}`); // not in the Workspace directory
    await t.fixtures.membership(ghost.id, dc.org.id, 'MEMBER', true);
    await request(t.app.getHttpServer())
      .post(`/v2/organizations/${dc.org.id}/webhooks`)
      .set(dc.auth)
      .send({ subscriberUrl: receiver.url('/hook'), active: true, triggers: ['DELEGATION_CREDENTIAL_ERROR'] })
      .expect(201);
    await dc.setEnabled(true);

    const state = (userId: number) =>
      t.prisma.credential
        .findFirst({ where: { userId, delegationCredentialId: dc.dcId } })
        .then((c) => c?.syncState);
    await waitFor(async () => (await state(good.user.id)) === 'CONNECTED', 60_000, 'the member verified');
    await waitFor(async () => (await state(ghost.id)) === 'FAILING', 60_000, 'the ghost member failing');
    await waitFor(() => Promise.resolve(receiver.at('/hook').length > 0), 60_000, 'the webhook delivery');
    const delivered = (text: string) =>
      metricSum(text, 'dc_webhook_deliveries_total', { outcome: 'delivered' });
    let after = '';
    await waitFor(
      async () => {
        after = await scrape();
        return delivered(after) > delivered(before);
      },
      30_000,
      'the delivery to be counted',
    );

    const jobs = (text: string, labels: Record<string, string>) =>
      metricSum(text, 'dc_job_duration_seconds_count', labels);
    const provision = { queue: 'delegation-lifecycle', name: 'provision-credential', outcome: 'completed' };
    expect(jobs(after, provision)).toBe(jobs(before, provision) + 1);
    const verified = { queue: 'member-verify-google', name: 'verify-member', outcome: 'completed' };
    expect(jobs(after, verified)).toBeGreaterThanOrEqual(jobs(before, verified) + 2); // admin, member (+ ghost)
    const webhook = { queue: 'webhook-delivery', name: 'deliver-webhook', outcome: 'completed' };
    expect(jobs(after, webhook)).toBe(jobs(before, webhook) + 1);

    const calls = (text: string, outcome: string) =>
      metricSum(text, 'dc_provider_call_duration_seconds_count', { platform: 'google', outcome });
    expect(calls(after, 'ok')).toBeGreaterThanOrEqual(calls(before, 'ok') + 2);
    expect(calls(after, 'USER_NOT_IN_DIRECTORY')).toBe(calls(before, 'USER_NOT_IN_DIRECTORY') + 1);
    const mints = (text: string) => metricSum(text, 'dc_provider_token_mints_total', { platform: 'google' });
    expect(mints(after)).toBeGreaterThanOrEqual(mints(before) + 2); // one impersonation token per member
  }, 120_000);

  it('puts job id, queue and credential id on every line a job logs', () => {
    const lines = stdout
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const provisioned = lines.filter((l) => String(l.msg).startsWith('provisioned '));
    expect(provisioned.length).toBeGreaterThanOrEqual(1);
    for (const line of provisioned) {
      expect(line).toMatchObject({
        context: 'CredentialLifecycleService',
        jobId: expect.stringMatching(/^provision_/),
        queue: 'delegation-lifecycle',
        jobName: 'provision-credential',
        credentialId: expect.any(String),
      });
      expect(String(line.msg)).toContain(String(line.credentialId));
    }
  });
});
