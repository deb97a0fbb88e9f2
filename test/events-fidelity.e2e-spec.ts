import type { INestApplicationContext } from '@nestjs/common';
import type { Job } from 'bullmq';
import request from 'supertest';
import { ConferenceLinksService } from '../src/calendars/events/conference-links.service';
import { JOB } from '../src/jobs/jobs.types';
import { type DelegatedMember, type DelegatedOrg, delegatedOrg, type Platform } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';
import { startInProcessWorker, waitFor } from './utils/worker';

const MEETING = { google: /^https:\/\/meet\.google\.com\//, office365: /^https:\/\/teams\.microsoft\.com\// };
const GET_ROUTE = { google: 'google.events.get', office365: 'graph.events.get' } as const;

/**
 * Events that change under us (issue 16): a Meet / Teams link the provider creates asynchronously (read again, then
 * filled in by a job), a Meet that fails, and an event the member deleted in their calendar (404 EVENT_GONE, or
 * re-created on request) — against the sandbox's own asynchronous conferences and deletions.
 */
describe('Events that change under us (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const event = (extra: object = {}) => ({
    title: 'Intro call',
    start: '2031-05-06T09:00:00Z',
    end: '2031-05-06T09:30:00Z',
    ...extra,
  });

  afterEach(() => {
    t.fake.setConferenceCreation('google', { readyAfterReads: 0, failure: false });
    t.fake.setConferenceCreation('office365', { readyAfterReads: 0 });
  });

  describe.each<Platform>(['google', 'office365'])(
    '%s: failure 3, a link created asynchronously',
    (platform) => {
      let org: DelegatedOrg;
      let worker: INestApplicationContext | undefined;
      beforeAll(async () => {
        org = await delegatedOrg(t, platform);
      });
      afterAll(async () => {
        await worker?.close();
      });

      it('the create reads the event again (with backoff) until the link exists', async () => {
        const m = await org.connectedMember();
        t.fake.setConferenceCreation(platform, { readyAfterReads: 2 });
        t.fake.resetCounters();
        const res = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send(event({ conference: true }))
          .expect(201);
        expect(res.body.data.meetingUrl).toMatch(MEETING[platform]);
        expect(res.body.data.conference).toEqual({ status: 'ready', url: res.body.data.meetingUrl });
        expect(t.fake.callCount(GET_ROUTE[platform])).toBe(2);
        const times = t.fake.callTimes(GET_ROUTE[platform]);
        expect(times[1] - times[0]).toBeGreaterThan(0);
        expect(await t.prisma.jobIntent.count({ where: { name: JOB.FILL_CONFERENCE_LINK } })).toBe(0);
      });

      it('still pending after the reads: answered pending (never a silent null), then filled in by the job', async () => {
        const m = await org.connectedMember();
        // The API reads 3 times (reads 1–3 pending); the job's reads 4 and 5 find it.
        t.fake.setConferenceCreation(platform, { readyAfterReads: 5 });
        const res = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send(event({ conference: true }))
          .expect(201);
        const { uid, externalEventId } = res.body.data as { uid: string; externalEventId: string };
        expect(res.body.data).toMatchObject({
          meetingUrl: null,
          conference: { status: 'pending', url: null },
        });
        expect(await t.prisma.calendarEventReference.findUniqueOrThrow({ where: { uid } })).toMatchObject({
          conferenceStatus: 'PENDING',
          meetingUrl: null,
        });
        // The job was recorded with the reference (transactional outbox) and reaches its queue.
        await t.intentsDispatched();
        const job = (await t.queue('delegation-lifecycle').getJobs()).find(
          (j) => j.name === JOB.FILL_CONFERENCE_LINK && (j.data as { uid: string }).uid === uid,
        );
        expect(job?.data).toEqual({ uid, externalEventId });

        worker = await startInProcessWorker();
        await waitFor(
          async () =>
            (await t.prisma.calendarEventReference.findUniqueOrThrow({ where: { uid } })).conferenceStatus ===
            'READY',
          30_000,
          'the conference link to be filled in',
        );
        const [live] = t.fake.events(platform, m.user.email).filter((e) => e.id === externalEventId);
        const got = await http().get(`/v2/calendars/${platform}/events/${uid}`).set(m.auth).expect(200);
        expect(got.body.data).toMatchObject({
          uid,
          externalEventId,
          meetingUrl: live.meetingUrl,
          conference: { status: 'ready', url: live.meetingUrl },
        });
        expect(got.body.data.meetingUrl).toMatch(MEETING[platform]);
        await worker.close();
        worker = undefined;
      });

      it('the job marks the conference failed when its last attempt still finds no link', async () => {
        const m = await org.connectedMember();
        t.fake.setConferenceCreation(platform, { readyAfterReads: 50 });
        const res = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send(event({ conference: true }))
          .expect(201);
        const { uid, externalEventId } = res.body.data as { uid: string; externalEventId: string };
        worker = await startInProcessWorker();
        const links = worker.get(ConferenceLinksService);
        const attempt = (attemptsMade: number) => ({ attemptsMade, opts: { attempts: 8 } }) as unknown as Job;
        await expect(links.fill({ uid, externalEventId }, attempt(0))).rejects.toThrow(/still being created/);
        await expect(links.fill({ uid, externalEventId }, attempt(7))).resolves.toBe('failed');
        const got = await http().get(`/v2/calendars/${platform}/events/${uid}`).set(m.auth).expect(200);
        expect(got.body.data).toMatchObject({
          meetingUrl: null,
          conference: { status: 'failed', url: null, error: expect.stringContaining('still not created') },
        });
        // Settled: a later run changes nothing.
        await expect(links.fill({ uid, externalEventId }, attempt(7))).resolves.toBe('skipped');
        await worker.close();
        worker = undefined;
      });
    },
  );

  describe('Google: a Meet whose createRequest fails', () => {
    it('is an error with its reason (502 CONFERENCE_FAILED); the event is not kept', async () => {
      const org = await delegatedOrg(t, 'google');
      const m = await org.connectedMember();
      t.fake.setConferenceCreation('google', { failure: true });
      const res = await http()
        .post('/v2/calendars/google/events')
        .set(m.auth)
        .send(event({ conference: true }))
        .expect(502);
      expect(res.body.error.details).toMatchObject({ type: 'CONFERENCE_FAILED', permanent: false });
      expect(res.body.error.message).toContain('failure');
      expect(t.fake.events('google', m.user.email)).toEqual([]);
      expect(await t.prisma.calendarEventReference.count({ where: { userId: m.user.id } })).toBe(0);
    });
  });

  describe.each<Platform>(['google', 'office365'])(
    '%s: failure 4, an event deleted in the calendar',
    (platform) => {
      let org: DelegatedOrg;
      beforeAll(async () => {
        org = await delegatedOrg(t, platform);
      });

      const createDeleted = async (m: DelegatedMember, extra: object = {}) => {
        const res = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send(event(extra))
          .expect(201);
        expect(t.fake.deleteEvent(platform, m.user.email, res.body.data.externalEventId as string)).toBe(
          true,
        );
        return res.body.data as { uid: string; externalEventId: string; credentialId: number };
      };

      it('PATCH answers 404 EVENT_GONE, and neither the member nor the credential is marked failing', async () => {
        const m = await org.connectedMember();
        const created = await createDeleted(m);
        const res = await http()
          .patch(`/v2/calendars/${platform}/events/${created.uid}`)
          .set(m.auth)
          .send({ title: 'Rescheduled', start: '2031-05-07T09:00:00Z', end: '2031-05-07T09:30:00Z' })
          .expect(404);
        expect(res.body.error).toMatchObject({
          code: 'ProviderError',
          details: { type: 'EVENT_GONE', platform, permanent: true },
        });
        expect(res.body.error.message).toContain(created.externalEventId);
        const member = await t.prisma.credential.findUniqueOrThrow({ where: { id: created.credentialId } });
        expect(member.syncState).not.toBe('FAILING');
        expect(member.lastError).toBeNull();
        const dc = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: org.dcId } });
        expect(dc.status).toBe('ACTIVE');
        // The reference still points at the gone event; nothing was created at the provider.
        expect(t.fake.events(platform, m.user.email)).toEqual([]);
      });

      it('recreateIfMissing: true creates it again (with its conference) and the reference points at the new event', async () => {
        const m = await org.connectedMember();
        const created = await createDeleted(m, { conference: true });
        const res = await http()
          .patch(`/v2/calendars/${platform}/events/${created.uid}`)
          .set(m.auth)
          .send({
            title: 'Rescheduled',
            start: '2031-05-07T10:00:00Z',
            end: '2031-05-07T10:45:00Z',
            recreateIfMissing: true,
          })
          .expect(200);
        const data = res.body.data as { externalEventId: string; meetingUrl: string };
        expect(res.body.data).toMatchObject({
          uid: created.uid,
          recreated: true,
          title: 'Rescheduled',
          start: '2031-05-07T10:00:00.000Z',
          end: '2031-05-07T10:45:00.000Z',
          conference: { status: 'ready' },
        });
        expect(data.externalEventId).not.toBe(created.externalEventId);
        expect(data.meetingUrl).toMatch(MEETING[platform]);
        const live = t.fake.events(platform, m.user.email);
        expect(live).toEqual([
          expect.objectContaining({
            id: data.externalEventId,
            title: 'Rescheduled',
            start: new Date('2031-05-07T10:00:00Z'),
            meetingUrl: data.meetingUrl,
          }),
        ]);
        expect(
          await t.prisma.calendarEventReference.findUniqueOrThrow({ where: { uid: created.uid } }),
        ).toMatchObject({
          externalEventId: data.externalEventId,
          meetingUrl: data.meetingUrl,
          conferenceStatus: 'READY',
        });
        // A later PATCH goes to the new event.
        await http()
          .patch(`/v2/calendars/${platform}/events/${created.uid}`)
          .set(m.auth)
          .send({ title: 'Renamed' })
          .expect(200);
        expect(t.fake.events(platform, m.user.email)[0].title).toBe('Renamed');
      });

      it('recreateIfMissing needs a whole event (title, start, end): 400 before any provider call', async () => {
        const m = await org.connectedMember();
        const created = await createDeleted(m);
        t.fake.resetCounters();
        const res = await http()
          .patch(`/v2/calendars/${platform}/events/${created.uid}`)
          .set(m.auth)
          .send({ title: 'Only a title', recreateIfMissing: true })
          .expect(400);
        expect(res.body.error.message).toContain('recreateIfMissing needs title, start and end');
        expect(t.fake.callCount()).toBe(0);
      });

      it('an event that still exists is only updated, even with recreateIfMissing', async () => {
        const m = await org.connectedMember();
        const res = await http()
          .post(`/v2/calendars/${platform}/events`)
          .set(m.auth)
          .send(event())
          .expect(201);
        const patched = await http()
          .patch(`/v2/calendars/${platform}/events/${res.body.data.uid}`)
          .set(m.auth)
          .send({ ...event({ title: 'Moved' }), recreateIfMissing: true })
          .expect(200);
        expect(patched.body.data).toMatchObject({
          externalEventId: res.body.data.externalEventId,
          title: 'Moved',
        });
        expect(patched.body.data.recreated).toBeUndefined();
        expect(t.fake.events(platform, m.user.email)).toHaveLength(1);
      });

      it('DELETE stays idempotent: an event already deleted in the calendar is deleted here too', async () => {
        const m = await org.connectedMember();
        const created = await createDeleted(m);
        await http().delete(`/v2/calendars/${platform}/events/${created.uid}`).set(m.auth).expect(200);
        expect(await t.prisma.calendarEventReference.count({ where: { uid: created.uid } })).toBe(0);
        await http().get(`/v2/calendars/${platform}/events/${created.uid}`).set(m.auth).expect(404);
      });
    },
  );
});
