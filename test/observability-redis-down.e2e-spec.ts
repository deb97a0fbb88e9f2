import request from 'supertest';
import { intentRow } from '../src/jobs/job-intents';
import { JOB } from '../src/jobs/jobs.types';
import { createTestApp, type TestApp } from './utils/app';
import { bearer } from './utils/fixtures';
import { metricSum } from './utils/prometheus';
import { TestRedis } from './utils/processes';
import { waitFor } from './utils/worker';

/** /metrics and /admin/queues must answer within this, whatever Redis does. */
const ANSWER_WITHIN_MS = 3000;

/**
 * /metrics and the queue dashboard with the API's Redis (a redis-server of this file) stopped, and frozen (SIGSTOP:
 * connections open, nothing answered): both answer within ANSWER_WITHIN_MS — /metrics 200 with `dc_redis_up 0`, no
 * queue gauges and the pending job intents, the dashboard a 503 in the error envelope. Before: a frozen Redis held
 * /metrics for the queues' command timeouts one after the other (about 20 s), and the dashboard answered its page
 * and then failed or hung on every call it made.
 */
describe('/metrics and /admin/queues with Redis down (e2e)', () => {
  const saved = { ...process.env };
  let redis: TestRedis;
  let t: TestApp;
  let admin: Record<string, string>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    redis = await TestRedis.start();
    Object.assign(process.env, {
      REDIS_URL: redis.url,
      METRICS_ENABLED: 'true',
      QUEUE_DASHBOARD_ENABLED: 'true',
    });
    delete process.env.METRICS_TOKEN;
    t = await createTestApp();
    const sysadmin = await t.fixtures.user(undefined, 'ADMIN');
    admin = bearer(await t.fixtures.apiKey(sysadmin.id));
  });
  afterAll(async () => {
    redis.thaw();
    if (!(await redis.ping())) await redis.start();
    await t?.close();
    await redis.stop();
    process.env = saved;
  });

  /** GET `path`, failing the test unless it is answered within ANSWER_WITHIN_MS. */
  const timed = async (path: string, auth: Record<string, string> = {}) => {
    const started = Date.now();
    const res = await http()
      .get(path)
      .set(auth)
      .timeout(ANSWER_WITHIN_MS + 20_000);
    const took = Date.now() - started;
    process.stdout.write(`[redis-down] GET ${path} → ${res.status} in ${took} ms\n`);
    expect(took).toBeLessThan(ANSWER_WITHIN_MS);
    return res;
  };
  const expectRedisDown = async () => {
    const metrics = await timed('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^dc_redis_up 0$/m);
    expect(metrics.text).not.toMatch(/^dc_queue_jobs\{/m);
    expect(metrics.text).toMatch(/^dc_job_intents_pending \d+$/m);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await timed(path, admin);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'error',
        error: {
          code: 'ServiceUnavailableException',
          message: expect.stringContaining('Redis is unreachable'),
        },
      });
    }
  };

  it('with Redis up: dc_redis_up 1, the queue gauges, the dashboard', async () => {
    const metrics = await timed('/metrics');
    expect(metrics.text).toMatch(/^dc_redis_up 1$/m);
    expect(metrics.text).toMatch(/^dc_queue_jobs\{queue="delegation-lifecycle",state="waiting"\} \d+$/m);
    expect(metrics.text).toMatch(/^dc_job_intents_oldest_pending_seconds [\d.]+$/m);
    expect((await timed('/admin/queues/api/queues', admin)).status).toBe(200);
  });

  it('with Redis frozen (connections open, no answers): bounded answers', async () => {
    redis.freeze();
    try {
      await expectRedisDown();
    } finally {
      redis.thaw();
    }
  }, 60_000);

  it('with Redis stopped: bounded answers, and the pending intents and their age are reported', async () => {
    await redis.stop();
    // An intent committed two minutes ago and still waiting for Redis (the dispatcher cannot queue it).
    const row = intentRow(JOB.RECONCILE, { round: Date.now() });
    const createdAt = new Date(Date.now() - 120_000);
    await t.prisma.jobIntent.create({ data: { ...row, createdAt, nextAttemptAt: createdAt } });
    await expectRedisDown();
    const metrics = (await timed('/metrics')).text;
    expect(metricSum(metrics, 'dc_job_intents_pending')).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics, 'dc_job_intents_oldest_pending_seconds')).toBeGreaterThanOrEqual(120);

    await redis.start();
    // Back: the dispatcher queues the intent, and the gauges say so.
    await waitFor(
      async () => {
        const text = (await http().get('/metrics')).text;
        return /^dc_redis_up 1$/m.test(text) && metricSum(text, 'dc_job_intents_pending') === 0;
      },
      20_000,
      'Redis up and no pending intent in /metrics',
    );
    expect((await timed('/admin/queues/api/queues', admin)).status).toBe(200);
  }, 60_000);
});
