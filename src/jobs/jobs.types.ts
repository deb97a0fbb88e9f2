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
  /** POST one signed event to one org webhook subscriber. */
  DELIVER_WEBHOOK: 'deliver-webhook',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];
export type LifecycleJobName = Exclude<JobName, typeof JOB.VERIFY_MEMBER | typeof JOB.DELIVER_WEBHOOK>;

export interface JobPayloads {
  [JOB.PROVISION_CREDENTIAL]: { credentialId: string; generation: number };
  [JOB.CLEANUP_CREDENTIAL]: { credentialId: string; generation: number };
  [JOB.DELETE_CREDENTIAL]: { credentialId: string };
  /** `version`: the triggering change (e.g. membership/user updatedAt in ms), so each change gets its own job. */
  [JOB.SYNC_MEMBER]: { organizationId: number; userId: number; version: number };
  [JOB.VERIFY_MEMBER]: {
    credentialId: string;
    generation: number;
    userId: number;
    platform: WorkspacePlatformSlug;
    /** Set by a member sync (its version): a member who left and rejoined is verified again. */
    trigger?: number;
  };
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
}

/** Deterministic job ids: re-dispatching the same logical job is a no-op while it exists. (BullMQ forbids ':'.) */
export const jobIdFor = {
  [JOB.PROVISION_CREDENTIAL]: (p: JobPayloads['provision-credential']) =>
    `provision_${p.credentialId}_${p.generation}`,
  [JOB.CLEANUP_CREDENTIAL]: (p: JobPayloads['cleanup-credential']) =>
    `cleanup_${p.credentialId}_${p.generation}`,
  [JOB.DELETE_CREDENTIAL]: (p: JobPayloads['delete-credential']) => `delete_${p.credentialId}`,
  [JOB.SYNC_MEMBER]: (p: JobPayloads['sync-member']) => `member_${p.organizationId}_${p.userId}_${p.version}`,
  [JOB.VERIFY_MEMBER]: (p: JobPayloads['verify-member']) =>
    `verify_${p.credentialId}_${p.generation}_${p.userId}${p.trigger === undefined ? '' : `_${p.trigger}`}`,
  [JOB.DELIVER_WEBHOOK]: (p: JobPayloads['deliver-webhook']) => `webhook_${p.webhookId}_${p.eventId}`,
} satisfies { [N in JobName]: (payload: JobPayloads[N]) => string };

/** The queue each job goes to. */
export function queueFor<N extends JobName>(name: N, payload: JobPayloads[N]): string {
  if (name === JOB.VERIFY_MEMBER) return VERIFY_QUEUES[(payload as JobPayloads['verify-member']).platform];
  if (name === JOB.DELIVER_WEBHOOK) return WEBHOOK_QUEUE;
  return LIFECYCLE_QUEUE;
}
