import { Injectable, Logger } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service';
import { PrismaService } from '../prisma/prisma.service';
import type { ProviderError } from '../providers/provider.errors';
import { queueWebhookEvent } from '../webhooks/webhook-events';
import { DELEGATION_CREDENTIAL_ERROR } from '../webhooks/webhook-triggers';

export interface MemberAccessFailure {
  error: ProviderError;
  organizationId: number;
  delegationCredentialId: string;
  credential: { id: number; type: string; appId: string };
  user: { id: number; email: string };
}

/**
 * Reports a member's delegated access failing with a permanent error (Cal.com's DELEGATION_CREDENTIAL_ERROR) to
 * the organization's webhooks subscribed to it. Runs in the API (live calendar calls) and in the worker
 * (verification jobs); both have Prisma and the job queues globally.
 *
 * The payload follows Cal.com's `{error, credential, user}`, built field by field so nothing else of the
 * credential — key material above all — can go out. `error.type` is our provider error code
 * (e.g. CLIENT_NOT_AUTHORIZED) rather than Cal.com's error class name: it is what an admin can act on.
 */
@Injectable()
export class DelegationErrorEvents {
  private readonly logger = new Logger(DelegationErrorEvents.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobsService,
  ) {}

  async memberAccessFailed(failure: MemberAccessFailure): Promise<void> {
    const context =
      `org=${failure.organizationId} credential=${failure.delegationCredentialId} user=${failure.user.id}` +
      `: ${failure.error.type}`;
    this.logger.warn(`${DELEGATION_CREDENTIAL_ERROR} ${context}`);
    try {
      const queued = await queueWebhookEvent(this.prisma, this.jobs, {
        organizationId: failure.organizationId,
        triggerEvent: DELEGATION_CREDENTIAL_ERROR,
        payload: {
          error: { type: failure.error.type, message: failure.error.message },
          credential: {
            id: failure.credential.id,
            type: failure.credential.type,
            appId: failure.credential.appId,
            delegationCredentialId: failure.delegationCredentialId,
          },
          user: { id: failure.user.id, email: failure.user.email, organizationId: failure.organizationId },
        },
      });
      if (queued)
        this.logger.log(`${DELEGATION_CREDENTIAL_ERROR} queued for ${queued} webhook(s), ${context}`);
    } catch (error) {
      // The member is already marked failing (visible through the API). Failing the caller here would turn a
      // calendar request into a 500, or re-run a verification that no longer reports (the state did not change).
      this.logger.error(
        `${DELEGATION_CREDENTIAL_ERROR} could not be queued (${context}): ${(error as Error).message}`,
      );
    }
  }
}
