import request from 'supertest';
import { CalendarCredentialsRepository } from '../src/calendars/shared/calendar-credentials.repository';
import { MemberCredentialsRepository } from '../src/lifecycle/member-credentials.repository';
import { ReadCacheService } from '../src/prisma/read-cache.service';
import { delegatedOrg, type DelegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

// A TTL far beyond any test: every change below must reach the caches through its notification, never by expiry.
process.env.READ_CACHE_TTL_SECONDS = '3600';

const INVALIDATION_TIMEOUT_MS = 10_000;

/**
 * Runs `change` and resolves once the read caches have received the notification dropping `tag` (or everything).
 * The listener is registered before the change, so the notification cannot be missed.
 */
async function afterInvalidation(cache: ReadCacheService, tag: string, change: () => Promise<unknown>) {
  let timer: NodeJS.Timeout | undefined;
  const seen = new Promise<void>((resolve, reject) => {
    const onInvalidated = (tags: string[] | '*') => {
      if (tags === '*' || tags.includes(tag)) {
        cache.events.off('invalidated', onInvalidated);
        resolve();
      }
    };
    cache.events.on('invalidated', onInvalidated);
    timer = setTimeout(() => {
      cache.events.off('invalidated', onInvalidated);
      reject(new Error(`no invalidation of ${tag} within ${INVALIDATION_TIMEOUT_MS} ms`));
    }, INVALIDATION_TIMEOUT_MS);
  });
  try {
    await change();
    await seen;
  } finally {
    clearTimeout(timer);
  }
}

describe('Read caches: member counts and calendar context, invalidated at once (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const caches = () => t.app.get(ReadCacheService);
  let org: DelegatedOrg;

  /** Runs `call` until an answer comes from cache `name` (a load that overlapped a notification is not stored). */
  const cached = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const hits = caches().stats()[name]?.hits ?? 0;
      const result = await call();
      if ((caches().stats()[name]?.hits ?? 0) > hits) return result;
    }
    throw new Error(`never answered from ${name}`);
  };

  beforeAll(async () => {
    await caches().start();
    org = await delegatedOrg(t, 'google');
  });

  describe('member counts (GET …/delegation-credentials/{id})', () => {
    const counts = async () =>
      (
        await http()
          .get(`/v2/organizations/${org.org.id}/delegation-credentials/${org.dcId}`)
          .set(org.auth)
          .expect(200)
      ).body.data.members as Record<string, number>;
    /** What the database says right now (the statement the cache stores). */
    const exact = () =>
      t.app.get(MemberCredentialsRepository).counts({
        id: org.dcId,
        organizationId: org.org.id,
        domain: org.domain,
        platform: 'google',
      });

    it('are served from the cache and stay exact through every change that moves them', async () => {
      const a = await org.connectedMember();
      const b = await org.connectedMember();
      const before = await cached('member-counts', counts);
      expect(before).toEqual(await exact());
      const spy = jest.spyOn(t.app.get(MemberCredentialsRepository), 'counts');
      await counts();
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();

      // A new member joins the organization: one more matching member.
      const joined = await t.fixtures.user(`m-${uniq()}@${org.domain}`);
      await afterInvalidation(caches(), `org:${org.org.id}`, () =>
        t.fixtures.membership(joined.id, org.org.id, 'MEMBER', true),
      );
      expect(await counts()).toEqual({ ...before, matching: before.matching + 1 });

      // A member's delegated credential fails (a worker's write): failing +1.
      const now = await cached('member-counts', counts);
      await afterInvalidation(caches(), `dcm:${org.dcId}`, () =>
        t.prisma.credential.updateMany({
          where: { userId: a.user.id, delegationCredentialId: org.dcId },
          data: { syncState: 'FAILING' },
        }),
      );
      const failed = await counts();
      expect(failed.failing).toBe(now.failing + 1);
      expect(failed).toEqual(await exact());

      // A member's email moves to another domain: no longer matching.
      const moved = await cached('member-counts', counts);
      await afterInvalidation(caches(), `org:${org.org.id}`, () =>
        t.prisma.user.update({ where: { id: joined.id }, data: { email: `m-${uniq()}@elsewhere.example` } }),
      );
      expect(await counts()).toEqual({ ...moved, matching: moved.matching - 1 });

      // A member leaves: their membership and their delegated credential go.
      await cached('member-counts', counts);
      await afterInvalidation(caches(), `dcm:${org.dcId}`, () =>
        t.prisma.$transaction([
          t.prisma.credential.deleteMany({ where: { userId: b.user.id, delegationCredentialId: org.dcId } }),
          t.prisma.membership.deleteMany({ where: { userId: b.user.id, teamId: org.org.id } }),
        ]),
      );
      expect(await counts()).toEqual(await exact());
    });
  });

  describe('calendar context (GET /v2/calendars, busy times)', () => {
    const calendars = async (auth: Record<string, string>) =>
      (await http().get('/v2/calendars').set(auth).expect(200)).body.data as {
        connectedCalendars: { delegationCredentialId: string | null; calendars: { isSelected: boolean }[] }[];
        destinationCalendar: { externalId: string } | null;
      };

    it('serves repeated requests without reading the database before the provider call', async () => {
      const m = await org.connectedMember();
      // The first listing connects the member (a write that invalidates their context): cached after that.
      await cached('calendar-context', () => calendars(m.auth));
      await cached('calendar-context', () => calendars(m.auth));
      const repo = t.app.get(CalendarCredentialsRepository);
      const delegations = jest.spyOn(repo, 'delegationsFor');
      const manual = jest.spyOn(repo, 'listManual');
      await calendars(m.auth);
      expect(delegations).not.toHaveBeenCalled();
      expect(manual).not.toHaveBeenCalled();
      jest.restoreAllMocks();
    });

    it('credential disabled → the delegated calendar is gone at once; enabled again → back at once', async () => {
      const m = await org.connectedMember();
      expect((await cached('calendar-context', () => calendars(m.auth))).connectedCalendars).toHaveLength(1);
      await afterInvalidation(caches(), `dom:${org.domain}`, () => org.setEnabled(false));
      expect((await calendars(m.auth)).connectedCalendars).toHaveLength(0);
      await cached('calendar-context', () => calendars(m.auth));
      await afterInvalidation(caches(), `dom:${org.domain}`, () => org.setEnabled(true));
      expect((await calendars(m.auth)).connectedCalendars).toHaveLength(1);
    });

    it('membership no longer accepted → no delegated calendar at once', async () => {
      const m = await org.connectedMember();
      expect((await cached('calendar-context', () => calendars(m.auth))).connectedCalendars).toHaveLength(1);
      await afterInvalidation(caches(), `u:${m.user.id}`, () =>
        t.prisma.membership.updateMany({
          where: { userId: m.user.id, teamId: org.org.id },
          data: { accepted: false },
        }),
      );
      expect((await calendars(m.auth)).connectedCalendars).toHaveLength(0);
    });

    it('selected and destination calendars changed (by anyone) → seen at once', async () => {
      const m = await org.connectedMember();
      const first = await cached('calendar-context', () => calendars(m.auth));
      expect(first.connectedCalendars[0].calendars[0].isSelected).toBe(true);
      expect(first.destinationCalendar?.externalId).toBe(m.primary);

      await afterInvalidation(caches(), `u:${m.user.id}`, () =>
        t.prisma.selectedCalendar.deleteMany({ where: { userId: m.user.id } }),
      );
      expect((await calendars(m.auth)).connectedCalendars[0].calendars[0].isSelected).toBe(false);

      await cached('calendar-context', () => calendars(m.auth));
      await afterInvalidation(caches(), `u:${m.user.id}`, () =>
        t.prisma.destinationCalendar.update({
          where: { userId: m.user.id },
          data: { externalId: 'elsewhere@example.com' },
        }),
      );
      expect((await calendars(m.auth)).destinationCalendar?.externalId).toBe('elsewhere@example.com');
    });

    describe('read-your-writes: the very next request, without waiting for the notification', () => {
      // A notification reaches the LISTEN connection some time after the writer's COMMIT returned: before the
      // barrier, a request sent right after the change was sometimes answered from the old context (4-5 of 40).
      const ROUNDS = 20;

      it('credential disabled / enabled through the API', async () => {
        const m = await org.connectedMember();
        const seen: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          await cached('calendar-context', () => calendars(m.auth));
          await org.setEnabled(false);
          seen.push((await calendars(m.auth)).connectedCalendars.length);
          await org.setEnabled(true);
          seen.push((await calendars(m.auth)).connectedCalendars.length);
        }
        expect(seen).toEqual(Array.from({ length: ROUNDS }, () => [0, 1]).flat());
      });

      it('membership accepted / not accepted by another writer', async () => {
        const m = await org.connectedMember();
        const accept = (accepted: boolean) =>
          t.prisma.membership.updateMany({
            where: { userId: m.user.id, teamId: org.org.id },
            data: { accepted },
          });
        const seen: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          await cached('calendar-context', () => calendars(m.auth));
          await accept(false);
          seen.push((await calendars(m.auth)).connectedCalendars.length);
          await accept(true);
          seen.push((await calendars(m.auth)).connectedCalendars.length);
        }
        expect(seen).toEqual(Array.from({ length: ROUNDS }, () => [0, 1]).flat());
      });
    });

    it('busy times stop at once when the member credential is removed', async () => {
      const m = await org.connectedMember();
      const credentialId = await org.memberCredentialId(m.user.id);
      const busy = () =>
        http().get('/v2/calendars/busy-times').set(m.auth).query({
          timeZone: 'UTC',
          dateFrom: '2031-01-15',
          dateTo: '2031-01-15',
          'calendarsToLoad[0][credentialId]': credentialId,
          'calendarsToLoad[0][externalId]': m.primary,
        });
      await cached('calendar-context', () => busy().expect(200));
      // Removed by hand (no re-provisioning, as the membership goes too): the credential id is no longer theirs.
      await afterInvalidation(caches(), `u:${m.user.id}`, () =>
        t.prisma.$transaction([
          t.prisma.membership.deleteMany({ where: { userId: m.user.id, teamId: org.org.id } }),
          t.prisma.credential.deleteMany({ where: { id: credentialId } }),
        ]),
      );
      await busy().expect(401);
    });
  });
});
