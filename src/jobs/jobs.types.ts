import type { WorkspacePlatformSlug } from '../providers/provider.types';

/**
 * Typed job registry: one const name per job, one payload type per name, one queue per name. Payloads carry ids
 * only — never keys or anything secret (they live in Redis).
 */
export const LIFECYCLE_QUEUE = 'delegation-lifecycle';

/** Per-member provider verification: one queue per platform, each with its own rate limit (provider quota). */
export const VERIFY_QUEUES: Record<WorkspacePlatformSlug, string> = {
  google: 'member-verify-google',
  office365: 'member-verify-office365',
};

/** Org webhook deliveries (retried with backoff; each attempt has its own timeout). */
export const WEBHOOK_QUEUE = 'webhook-delivery';

export const JOB = {
  /** Connect every matching member of a freshly enabled credential. */
  PROVISION_CREDENTIAL: 'provision-credential',
  /** Remove the delegated member credentials of a disabled credential (preferences are kept). */
  CLEANUP_CREDENTIAL: 'cleanup-credential',
  /** Cleanup, then remove the credential row itself. */
  DELETE_CREDENTIAL: 'delete-credential',
  /**
   * Bring one member in line with the current state: provision if they are an accepted member whose email domain
   * has an enabled credential in the org, otherwise remove their delegated credential (preferences are kept).
   */
  SYNC_MEMBER: 'sync-member',
  /** Check through the provider that the credential can act for one member: connected or failing. */
  VERIFY_MEMBER: 'verify-member',
  /**
   * The periodic health sweep (a BullMQ job scheduler every HEALTH_CHECK_INTERVAL_SECONDS): one
   * check-credential-health job per enabled credential.
   */
  HEALTH_SWEEP: 'health-sweep',
  /**
   * Check one credential through the provider (fresh token, impersonating its enabling admin or a connected member):
   * active ⇄ failing, then queue the members due for a check (failing ones past their backoff, stale pending ones,
   * blocked ones once the credential is active).
   */
  CHECK_CREDENTIAL_HEALTH: 'check-credential-health',
  /** Queue verification of every member due for a check (after the credential recovered or its key was rotated). */
  REVERIFY_MEMBERS: 'reverify-members',
  /** Admin resync: check the credential, provision every matching member again, and re-verify every member. */
  RESYNC_CREDENTIAL: 'resync-credential',
  /** POST one signed event to one org webhook subscriber. */
  DELIVER_WEBHOOK: 'deliver-webhook',
  /**
   * Reconciliation (a job scheduler every RECONCILE_INTERVAL_SECONDS, and once at worker start): compares desired
   * with actual member state for every credential and repairs it through the jobs above (see ReconciliationService).
   */
  RECONCILE: 'reconcile',
  /**
   * Read a member's event again until its Google Meet / Teams link exists (the provider created it asynchronously and
   * the API answered the event with `conference.status: pending`), then store it (or mark the conference failed).
   */
  FILL_CONFERENCE_LINK: 'fill-conference-link',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];

export const VERIFY_CAUSES = ['sync', 'recheck', 'resync'] as const;
export type VerifyCause = (typeof VERIFY_CAUSES)[number];

/** The job scheduler (BullMQ) that adds a health-sweep job every HEALTH_CHECK_INTERVAL_SECONDS. */
export const HEALTH_SWEEP_SCHEDULER = 'health-sweep';
/** The job scheduler (BullMQ) that adds a reconcile job every RECONCILE_INTERVAL_SECONDS. */
export const RECONCILE_SCHEDULER = 'reconcile';
/** Jobs of the lifecycle queue (every job but member verification and webhook delivery). */
export type LifecycleJobName = Exclude<JobName, typeof JOB.VERIFY_MEMBER | typeof JOB.DELIVER_WEBHOOK>;

/**
 * `repair`: set by reconciliation (its round, epoch ms) when the original job is gone but its work is not done — a
 * job of its own (new id), doing the same idempotent work.
 */
export interface JobPayloads {
  [JOB.PROVISION_CREDENTIAL]: { credentialId: string; generation: number; repair?: number };
  [JOB.CLEANUP_CREDENTIAL]: { credentialId: string; generation: number; repair?: number };
  [JOB.DELETE_CREDENTIAL]: { credentialId: string; repair?: number };
  /** `version`: the triggering change (e.g. membership/user updatedAt in ms), so each change gets its own job. */
  [JOB.SYNC_MEMBER]: { organizationId: number; userId: number; version: number };
  [JOB.VERIFY_MEMBER]: {
    credentialId: string;
    generation: number;
    userId: number;
    platform: WorkspacePlatformSlug;
    /**
     * Why this verification runs again after provisioning, so each reason gets its own job: `sync` (a member sync —
     * a member who left and rejoined), `recheck` (a scheduled re-check: backoff, health check, recovery) or
     * `resync` (an admin resync). Absent with a trigger: `sync`.
     */
    cause?: VerifyCause;
    /** The occasion within the cause, in epoch ms: the sync's version, the re-check's due time or round, the resync's time. */
    trigger?: number;
  };
  /** `round`: the sweep's interval number (epoch ms / interval); absent when the job scheduler runs it. */
  [JOB.HEALTH_SWEEP]: { round?: number };
  /** `round`: the sweep round (one check per credential and round), or the time in ms of an ad-hoc check. */
  [JOB.CHECK_CREDENTIAL_HEALTH]: { credentialId: string; round: number };
  /** `round`: the occasion in epoch ms (the recovery or rotation). */
  [JOB.REVERIFY_MEMBERS]: { credentialId: string; generation: number; round: number };
  /** `requestedAt`: when the admin asked, in epoch ms. */
  [JOB.RESYNC_CREDENTIAL]: { credentialId: string; generation: number; requestedAt: number };
  /**
   * `eventId` identifies the event (one delivery job per webhook and event); `payload` is the JSON body to send —
   * never key material. The signing secret is read from the database at delivery time, not carried here.
   */
  [JOB.DELIVER_WEBHOOK]: {
    webhookId: string;
    eventId: string;
    triggerEvent: string;
    payload: Record<string, unknown>;
  };
  /** `round`: when it was asked for (epoch ms); absent when the job scheduler runs it. */
  [JOB.RECONCILE]: { round?: number };
  /** `uid`: the event reference whose conference is pending; `externalEventId`: the event it was pending for. */
  [JOB.FILL_CONFERENCE_LINK]: { uid: string; externalEventId: string };
}

/** Deterministic job ids: re-dispatching the same logical job is a no-op while it exists. (BullMQ forbids ':'.) */
export const jobIdFor = {
  [JOB.PROVISION_CREDENTIAL]: (p: JobPayloads['provision-credential']) =>
    `provision_${p.credentialId}_${p.generation}${repairSuffix(p)}`,
  [JOB.CLEANUP_CREDENTIAL]: (p: JobPayloads['cleanup-credential']) =>
    `cleanup_${p.credentialId}_${p.generation}${repairSuffix(p)}`,
  [JOB.DELETE_CREDENTIAL]: (p: JobPayloads['delete-credential']) =>
    `delete_${p.credentialId}${repairSuffix(p)}`,
  [JOB.SYNC_MEMBER]: (p: JobPayloads['sync-member']) => `member_${p.organizationId}_${p.userId}_${p.version}`,
  [JOB.VERIFY_MEMBER]: (p: JobPayloads['verify-member']) =>
    `verify_${p.credentialId}_${p.generation}_${p.userId}${verifySuffix(p)}`,
  // The scheduler names its own jobs (`repeat:health-sweep:<ms>`); this id is for a sweep queued by hand.
  [JOB.HEALTH_SWEEP]: (p: JobPayloads['health-sweep']) => `health-sweep_${p.round ?? 'now'}`,
  [JOB.CHECK_CREDENTIAL_HEALTH]: (p: JobPayloads['check-credential-health']) =>
    `health_${p.credentialId}_${p.round}`,
  [JOB.REVERIFY_MEMBERS]: (p: JobPayloads['reverify-members']) =>
    `reverify_${p.credentialId}_${p.generation}_${p.round}`,
  [JOB.RESYNC_CREDENTIAL]: (p: JobPayloads['resync-credential']) =>
    `resync_${p.credentialId}_${p.generation}_${p.requestedAt}`,
  [JOB.DELIVER_WEBHOOK]: (p: JobPayloads['deliver-webhook']) => `webhook_${p.webhookId}_${p.eventId}`,
  // The scheduler names its own jobs; this id is for the run at worker start (one per minute across workers).
  [JOB.RECONCILE]: (p: JobPayloads['reconcile']) => `reconcile_${p.round ?? 'now'}`,
  // One per event the link was pending for (a re-created event gets its own).
  [JOB.FILL_CONFERENCE_LINK]: (p: JobPayloads['fill-conference-link']) =>
    `conference_${p.uid}_${p.externalEventId.replace(/[^A-Za-z0-9_-]/g, '').slice(-40)}`,
} satisfies { [N in JobName]: (payload: JobPayloads[N]) => string };

/** `_r<round>` for a reconciliation repair, nothing for the original job. */
function repairSuffix(p: { repair?: number }): string {
  return p.repair === undefined ? '' : `_r${p.repair}`;
}

/** `_<trigger>` for a member sync (the original format), `_<cause><trigger>` for the other causes. */
function verifySuffix(p: JobPayloads['verify-member']): string {
  if (p.trigger === undefined) return '';
  return p.cause === undefined || p.cause === 'sync' ? `_${p.trigger}` : `_${p.cause}${p.trigger}`;
}

/** The queue each job goes to. */
export function queueFor<N extends JobName>(name: N, payload: JobPayloads[N]): string {
  if (name === JOB.VERIFY_MEMBER) return VERIFY_QUEUES[(payload as JobPayloads['verify-member']).platform];
  if (name === JOB.DELIVER_WEBHOOK) return WEBHOOK_QUEUE;
  return LIFECYCLE_QUEUE;
}
