import { Injectable, Logger } from '@nestjs/common';
import type { CredentialRecord } from '../delegation-credentials/delegation-credentials.repository';
import type { ProviderError } from '../providers/provider.errors';
import { ProviderRegistry } from '../providers/provider.registry';
import type { WorkspacePlatformSlug } from '../providers/provider.types';
import {
  CredentialHealthRepository,
  type FailureOutcome,
  type HealthSource,
  type SuccessOutcome,
} from './credential-health.repository';
import { DelegationErrorEvents } from './delegation-error-events.service';

export interface EvidenceOptions {
  /** A credential-level check ran at this time (recorded as lastVerifiedAt). */
  checkedAt?: Date;
  /** Verify endpoint: apply only if the credential is still as read (see HealthEvidence.sameStateAs). */
  sameStateAs?: { enabled: boolean; generation: number };
}

/**
 * The credential health state machine, fed by every source of evidence (verify, enable/rotation, the periodic
 * check, member verification jobs, members' live calls):
 *
 *     pending ──enable──▶ active ⇄ failing      (disable → disabled, delete → deleting, as before)
 *
 * - `failed`: a credential-scope provider error (ProviderError.scope === 'credential') makes an enabled credential
 *   `failing` with `lastError {type, message, scope, at}`, blocks its connected and pending members, and fires ONE
 *   credential-wide DELEGATION_CREDENTIAL_ERROR — exactly one under concurrency (a conditional write under a row
 *   lock decides who reports). Members are not reported one by one for it.
 * - `passed`: a passing credential-level check (verify, the periodic check; rotation through the repository) makes
 *   it `active` again and, if it was failing, queues the re-verification of its failing and blocked members at the
 *   provider rate (the verify queues and their limiter) — no admin action needed.
 * Evidence about a key that was replaced meanwhile is ignored. A live call that succeeds is not credential-level
 * evidence: it may have used a token minted before the revocation.
 */
@Injectable()
export class CredentialHealthService {
  private readonly logger = new Logger(CredentialHealthService.name);

  constructor(
    private readonly repository: CredentialHealthRepository,
    private readonly events: DelegationErrorEvents,
    private readonly providers: ProviderRegistry,
  ) {}

  async failed(
    record: CredentialRecord,
    error: ProviderError,
    source: HealthSource,
    options: EvidenceOptions = {},
  ): Promise<FailureOutcome> {
    const at = options.checkedAt ?? new Date();
    const platform = record.workspacePlatform.slug as WorkspacePlatformSlug;
    const outcome = await this.repository.recordFailure(
      { credentialId: record.id, encryptedKey: record.encryptedKey, ...options },
      { type: error.type, message: error.message, scope: error.scope, at: at.toISOString() },
      source,
      // The one credential-wide webhook, committed with the transition.
      (tx, changed) =>
        this.events.credentialFailed(tx, {
          error,
          organizationId: changed.organizationId,
          delegationCredential: {
            id: record.id,
            domain: changed.domain,
            workspacePlatformSlug: platform,
            failingSince: changed.lastError?.at ?? at.toISOString(),
          },
          affectedMembers: changed.affectedMembers,
        }),
    );
    // Cached tokens may outlive a revocation: the next call (and the check that notices recovery) mints a new one.
    if (outcome.matched) this.providers.evict(record.id);
    if (outcome.changed) {
      this.logger.warn(
        `delegation credential ${record.id} failing (${source}): ${error.type}; ` +
          `${outcome.affectedMembers} member(s) affected`,
      );
    }
    return outcome;
  }

  async passed(
    record: CredentialRecord,
    source: HealthSource,
    options: EvidenceOptions = {},
  ): Promise<SuccessOutcome> {
    const outcome = await this.repository.recordSuccess(
      { credentialId: record.id, encryptedKey: record.encryptedKey, ...options },
      source,
    );
    if (outcome.recovered)
      this.logger.log(
        `delegation credential ${record.id} active again (${source}): re-verifying its members`,
      );
    return outcome;
  }
}
