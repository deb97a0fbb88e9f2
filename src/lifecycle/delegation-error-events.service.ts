import { Injectable, Logger } from '@nestjs/common';
import type { IntentWriter } from '../jobs/job-intents';
import type { ProviderError } from '../providers/provider.errors';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import { CALENDAR_APP } from './platform-apps';
import { queueWebhookEvent } from '../webhooks/webhook-events';
import { DELEGATION_CREDENTIAL_ERROR } from '../webhooks/webhook-triggers';

/** A delegation credential went failing with a credential-scope error (see CredentialHealthService). */
export interface CredentialFailure {
  error: ProviderError;
  organizationId: number;
  delegationCredential: {
    id: string;
    domain: string;
    workspacePlatformSlug: WorkspacePlatformSlug;
    /** When the failure was first seen (ISO 8601). */
    failingSince: string;
  };
  /** Members with a delegated credential of it: every one of them has lost access. */
  affectedMembers: number;
}

export interface MemberAccessFailure {
  error: ProviderError;
  organizationId: number;
  delegationCredentialId: string;
  credential: { id: number; type: string; appId: string };
  user: { id: number; email: string };
}

/**
 * Reports delegated access failing with a permanent error (Cal.com's DELEGATION_CREDENTIAL_ERROR) to the
 * organization's webhooks subscribed to it. Runs in the API (live calendar calls, verify) and in the worker
 * (verification and health-check jobs), always inside the transaction of the state change it reports (`tx`): the
 * deliveries are job intents committed with that change (see queueWebhookEvent).
 *
 * The payload follows Cal.com's `{error, credential, user}`, built field by field so nothing else of the
 * credential — key material above all — can go out, plus `scope`:
 * - `member`: one member's access failed for a reason of their own (Cal.com's case): `user` is that member and
 *   `credential` their delegated calendar credential.
 * - `credential`: the delegation credential as a whole is failing (key deleted, secret expired, delegation or
 *   consent revoked…). Sent once per failure for the whole credential, never per member: `user` is null,
 *   `credential.id` is null (no single member credential), and `delegationCredential` and `affectedMembers` say
 *   what is broken and how many members it cuts off.
 * `error.type` is our provider error code (e.g. CLIENT_NOT_AUTHORIZED) rather than Cal.com's error class name: it is
 * what an admin can act on.
 */
@Injectable()
export class DelegationErrorEvents {
  private readonly logger = new Logger(DelegationErrorEvents.name);

  async memberAccessFailed(tx: IntentWriter, failure: MemberAccessFailure): Promise<void> {
    const context =
      `org=${failure.organizationId} credential=${failure.delegationCredentialId} user=${failure.user.id}` +
      `: ${failure.error.type}`;
    await this.publish(tx, failure.organizationId, context, {
      scope: 'member',
      error: { type: failure.error.type, message: failure.error.message },
      credential: {
        id: failure.credential.id,
        type: failure.credential.type,
        appId: failure.credential.appId,
        delegationCredentialId: failure.delegationCredentialId,
      },
      user: { id: failure.user.id, email: failure.user.email, organizationId: failure.organizationId },
    });
  }

  async credentialFailed(tx: IntentWriter, failure: CredentialFailure): Promise<void> {
    const dc = failure.delegationCredential;
    const app = CALENDAR_APP[dc.workspacePlatformSlug];
    const context = `org=${failure.organizationId} credential=${dc.id} (credential-wide): ${failure.error.type}`;
    await this.publish(tx, failure.organizationId, context, {
      scope: 'credential',
      error: { type: failure.error.type, message: failure.error.message },
      credential: { id: null, type: app.type, appId: app.appId, delegationCredentialId: dc.id },
      user: null,
      delegationCredential: {
        id: dc.id,
        domain: dc.domain,
        workspacePlatformSlug: dc.workspacePlatformSlug,
        status: 'failing',
        failingSince: dc.failingSince,
      },
      affectedMembers: failure.affectedMembers,
    });
  }

  private async publish(
    tx: IntentWriter,
    organizationId: number,
    context: string,
    payload: Record<string, unknown>,
  ): Promise<void> {
    this.logger.warn(`${DELEGATION_CREDENTIAL_ERROR} ${context}`);
    const queued = await queueWebhookEvent(tx, {
      organizationId,
      triggerEvent: DELEGATION_CREDENTIAL_ERROR,
      payload,
    });
    if (queued)
      this.logger.log(`${DELEGATION_CREDENTIAL_ERROR} recorded for ${queued} webhook(s), ${context}`);
  }
}
