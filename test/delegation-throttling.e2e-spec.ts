import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import request from 'supertest';
import { HEALTH_SWEEP_SCHEDULER, LIFECYCLE_QUEUE, VERIFY_QUEUES } from '../src/jobs/jobs.types';
import type { ThrottleProgress } from '../src/jobs/throttling';
import { WorkerModule } from '../src/lifecycle/worker.module';
import { PROVIDER_OPTIONS, type ProviderOptions } from '../src/providers/provider-options';
import { delegatedOrg } from './utils/delegated-org';
import { createIsolatedDatabase, setEnv } from './utils/isolated-database';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';
import { waitFor } from './utils/worker';

/** The worker module in this process, with provider tuning (e.g. no inline waits) where a test needs it. */
async function startWorker(providerOptions?: Partial<ProviderOptions>): Promise<INestApplicationContext> {
  let builder = Test.createTestingModule({ imports: [WorkerModule] });
  if (providerOptions) builder = builder.overrideProvider(PROVIDER_OPTIONS).useValue(providerOptions);
  const moduleRef = await builder.compile();
  moduleRef.useLogger(['error']);
  await moduleRef.init();
  return moduleRef;
}

/**
 * Throttling in background jobs (issue 10, point 6; failure 5): a RATE_LIMITED verification waits at least its
 * Retry-After before its next call at the provider, waiting does not use up attempts (it is bounded by time), and a
 * member left pending by a job that gave up is queued again by the periodic check.
 */
describe('Throttled verification jobs honour Retry-After (e2e)', () => {
  let t: TestAppWithFakes;
  let worker: INestApplicationContext | undefined;
  let restoreEnv: (() => void) | undefined;
  let dropDatabase: () => Promise<void>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    dropDatabase = (await createIsolatedDatabase('throttling')).drop;
    t = await createTestAppWithFakes();
  });
  afterEach(async () => {
    t.fake.clearFaults();
    await worker?.close();
    worker = undefined;
    restoreEnv?.();
    restoreEnv = undefined;
  });
  afterAll(async () => {
    await t?.close();
    await dropDatabase?.();
  });

  /**
   * A Microsoft 365 credential enabled with its admin as the only member, whose verification is queued but not run
   * (no worker yet): faults injected now hit that verification, not the enable check.
   */
  async function enabledWithQueuedVerification() {
    const o = await delegatedOrg(t, 'office365');
    const member = () =>
      t.prisma.credential.findFirst({ where: { userId: o.admin.id, delegationCredentialId: o.dcId } });
    // The provisioning's verification job of the admin (generation 1; re-checks get ids of their own).
    const verifyJob = async (): Promise<Job | undefined> =>
      t.queue(VERIFY_QUEUES.office365).getJob(`verify_${o.dcId}_1_${o.admin.id}`);
    return { o, member, verifyJob };
  }

  /** Arrival times at the sandbox of the directory lookups since `from` (the verification's first call). */
  const lookupsSince = (from: number) => t.fake.callTimes('graph.users').slice(from);
  const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]);

  it('Graph 429 with Retry-After: the next call comes ≥ Retry-After later, and the member connects once it ends', async () => {
    const { member, verifyJob } = await enabledWithQueuedVerification();
    const from = t.fake.callCount('graph.users');
    // Longer than the provider waits inline (3 s): the job itself must wait.
    t.fake.injectFault({ route: 'graph.users', status: 429, retryAfter: 4, times: 2 });
    worker = await startWorker();
    // HEALTH_CHECK_INTERVAL_SECONDS=0 (the tests' default): no periodic check.
    expect(await t.queue(LIFECYCLE_QUEUE).getJobScheduler(HEALTH_SWEEP_SCHEDULER)).toBeUndefined();

    await waitFor(async () => (await member())?.syncState === 'CONNECTED', 30_000, 'the member connected');
    const times = lookupsSince(from);
    expect(times).toHaveLength(3); // throttled, throttled, answered
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(4000);
    const job = (await verifyJob())!;
    expect(await job.getState()).toBe('completed');
    expect(job.progress).toMatchObject({ throttles: 2 } satisfies Partial<ThrottleProgress>);
    expect(job.returnvalue).toEqual({ state: 'connected' });
  }, 45_000);

  it('waiting for throttling uses no attempts: 10 throttles (more than the 8 attempts) and it still completes', async () => {
    const { member, verifyJob } = await enabledWithQueuedVerification();
    const from = t.fake.callCount('graph.users');
    t.fake.injectFault({ route: 'graph.users', status: 429, retryAfter: 1, times: 10 });
    worker = await startWorker({ maxRateLimitRetries: 0 }); // no inline waits: every 429 reaches the job

    await waitFor(async () => (await member())?.syncState === 'CONNECTED', 40_000, 'the member connected');
    const times = lookupsSince(from);
    expect(times).toHaveLength(11);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(1000);
    const job = (await verifyJob())!;
    expect(job.opts.attempts).toBe(8);
    expect(job.progress).toMatchObject({ throttles: 10 });
    expect(job.attemptsMade).toBeLessThanOrEqual(1); // only the completing run counts
  }, 60_000);

  it('throttled past JOB_RATE_LIMIT_MAX_WAIT_SECONDS the job gives up; the periodic check re-queues the pending member', async () => {
    restoreEnv = setEnv({
      JOB_RATE_LIMIT_MAX_WAIT_SECONDS: '2',
      HEALTH_CHECK_INTERVAL_SECONDS: '1',
      MEMBER_PENDING_TIMEOUT_SECONDS: '3',
    });
    const { o, member, verifyJob } = await enabledWithQueuedVerification();
    t.fake.injectFault({ route: 'graph.users', status: 429, retryAfter: 1 });
    worker = await startWorker({ maxRateLimitRetries: 0 });

    await waitFor(
      async () => (await (await verifyJob())?.getState()) === 'failed',
      30_000,
      'the job to give up',
    );
    const job = (await verifyJob())!;
    expect(job.failedReason).toMatch(/still throttled after \d+ s, giving up/);
    expect((await member())?.syncState).toBe('PENDING');

    t.fake.clearFaults(); // throttling ends
    await waitFor(async () => (await member())?.syncState === 'CONNECTED', 30_000, 'the member re-queued');
    const dc = await http()
      .get(`/v2/organizations/${o.org.id}/delegation-credentials/${o.dcId}`)
      .set(o.auth)
      .expect(200);
    expect(dc.body.data).toMatchObject({ status: 'active', members: { connected: 1, pending: 0 } });
  }, 60_000);
});
