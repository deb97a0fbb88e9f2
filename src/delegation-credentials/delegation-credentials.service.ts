import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { AuthUser } from '../common/http/request-context';
import type { Prisma } from '../generated/prisma/client';
import { MemberCredentialsRepository } from '../lifecycle/member-credentials.repository';
import { isUniqueViolation } from '../prisma/prisma-errors';
import { ReadCacheService, type TaggedCache } from '../prisma/read-cache.service';
import { CredentialHealthService } from '../lifecycle/credential-health.service';
import { ProviderError, type ProviderErrorScope } from '../providers/provider.errors';
import { ProviderRegistry } from '../providers/provider.registry';
import type {
  AccessCheckResult,
  DelegatedCredential,
  WorkspacePlatformSlug,
} from '../providers/provider.types';
import { WORKSPACE_PLATFORM_SLUGS } from '../providers/provider.types';
import { WorkspacePlatformsRepository } from '../workspace-platforms/workspace-platforms.repository';
import {
  type AuditAction,
  type CredentialRecord,
  DelegationCredentialsRepository,
  DomainEnabledElsewhereError,
  type StoredProviderError,
} from './delegation-credentials.repository';
import { emailDomain } from './domain';
import type { CreateDelegationCredentialInput } from './dto/create-delegation-credential.input';
import type { UpdateDelegationCredentialInput } from './dto/update-delegation-credential.input';
import {
  keyPlatformMismatch,
  type ParsedServiceAccountKey,
  parseServiceAccountKey,
} from './service-account-key';

export interface VerifyResult {
  verified: boolean;
  reason?: StoredProviderError & { scope: ProviderErrorScope };
  subject: string;
  calendarCount?: number;
  checkedAt: Date;
  sample?: PreflightSample;
}

/** One sampled member whose access would fail, and why. */
export interface PreflightFailure {
  userId: number;
  email: string;
  type: string;
  message: string;
  scope: ProviderErrorScope;
  /** false: throttled or unavailable — could not be checked now, not a verdict. */
  permanent: boolean;
}

/** Preflight (`sampleMembers`): which of a random sample of matching members would connect, and which would not. */
export interface PreflightSample {
  requested: number;
  /** Accepted members whose email is in the credential's domain (all of them, not only the sample). */
  matching: number;
  checked: number;
  reachable: number;
  failing: PreflightFailure[];
  /** Why no member was checked (the credential itself failed the check). */
  skipped?: string;
}

export interface ResyncResult {
  delegationCredentialId: string;
  requestedAt: Date;
  jobId: string;
}

/** Member checks of one preflight running at once (each is a few provider calls). */
const PREFLIGHT_CONCURRENCY = 5;

const isPlatformSlug = (slug: string): slug is WorkspacePlatformSlug =>
  (WORKSPACE_PLATFORM_SLUGS as readonly string[]).includes(slug);

const alreadyConfigured = (domain: string) =>
  `Your organization already has delegation credential for ${domain}`;
/** A delegation credential's members: matching accepted members of the organization, and their sync states. */
export type MemberCounts = Awaited<ReturnType<MemberCredentialsRepository['counts']>>;

const enabledElsewhere = (domain: string) =>
  `Domain ${domain} already has delegation credential enabled in another organization`;

/**
 * The delegation credential rules: org scoping, key/platform checks, domain uniqueness, enable/verify/rotation
 * through the provider check, atomic state changes (each with the job intents it needs), and the audit trail.
 */
@Injectable()
export class DelegationCredentialsService {
  private readonly logger = new Logger(DelegationCredentialsService.name);
  private readonly counts: TaggedCache<MemberCounts>;

  constructor(
    private readonly credentials: DelegationCredentialsRepository,
    private readonly platforms: WorkspacePlatformsRepository,
    private readonly providers: ProviderRegistry,
    private readonly members: MemberCredentialsRepository,
    private readonly health: CredentialHealthService,
    readCache: ReadCacheService,
  ) {
    this.counts = readCache.cache<MemberCounts>('member-counts', 10_000);
  }

  async create(
    orgId: number,
    actor: AuthUser,
    input: CreateDelegationCredentialInput,
  ): Promise<CredentialRecord> {
    const platform = await this.platforms.findBySlug(input.workspacePlatformSlug);
    if (!platform) throw new NotFoundException(`Workspace platform ${input.workspacePlatformSlug} not found`);
    if (!platform.enabled)
      throw new BadRequestException(`Workspace platform ${platform.slug} is not enabled`);
    if (!isPlatformSlug(platform.slug)) {
      throw new BadRequestException(
        `Workspace platform ${platform.slug} is not supported (supported: google, office365)`,
      );
    }
    const key = this.parseKeyFor(platform.slug, input.serviceAccountKey);

    if (await this.credentials.existsInOrgForDomain(orgId, input.domain)) {
      throw new ConflictException(alreadyConfigured(input.domain));
    }
    if (await this.credentials.isEnabledElsewhere(input.domain, orgId)) {
      throw new ConflictException(enabledElsewhere(input.domain));
    }
    let record: CredentialRecord;
    try {
      record = await this.credentials.create(
        { organizationId: orgId, workspacePlatformId: platform.id, domain: input.domain, key },
        {
          actorUserId: actor.id,
          action: 'CREATE',
          details: { domain: input.domain, platform: platform.slug },
        },
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(alreadyConfigured(input.domain));
      throw error;
    }
    return record;
  }

  list(orgId: number, take: number, skip: number): Promise<CredentialRecord[]> {
    return this.credentials.listInOrg(orgId, take, skip);
  }

  async get(orgId: number, id: string): Promise<CredentialRecord> {
    const record = await this.credentials.findInOrg(orgId, id);
    if (!record) throw new NotFoundException(`DelegationCredential with id ${id} not found`);
    return record;
  }

  async update(
    orgId: number,
    id: string,
    actor: AuthUser,
    input: UpdateDelegationCredentialInput,
  ): Promise<CredentialRecord> {
    if (input.enabled === undefined && input.serviceAccountKey === undefined) {
      throw new BadRequestException('Nothing to update: send enabled and/or serviceAccountKey');
    }
    const record = await this.get(orgId, id);
    if (record.status === 'DELETING')
      throw new ConflictException(`DelegationCredential with id ${id} is being deleted`);
    const newKey =
      input.serviceAccountKey === undefined
        ? null
        : this.parseKeyFor(record.workspacePlatform.slug as WorkspacePlatformSlug, input.serviceAccountKey);
    const wantEnabled = input.enabled ?? record.enabled;

    if (!wantEnabled) return this.applyDisabled(record, actor, newKey);
    if (!record.enabled) return this.enable(record, actor, newKey);
    return newKey ? this.rotateEnabledKey(record, actor, newKey) : record; // enabled → enabled, no key: no-op
  }

  /**
   * Checks access through the provider now, impersonating the acting admin, and records it on the credential: a
   * pass makes an enabled credential active (and re-verifies its failing and blocked members if it was failing), a
   * credential-scope refusal makes it failing (one credential-wide webhook). A refusal about the admin's own
   * mailbox (member scope) says nothing about the credential and changes nothing. Disabled credentials keep their
   * status (only lastVerifiedAt / lastError). With `sampleMembers`, also a preflight of that many members (see
   * preflight), which changes no member state. Throws 409 when the credential changed meanwhile, and the transient
   * ProviderError (502/503) when the provider could not be asked.
   */
  async verify(
    orgId: number,
    id: string,
    actor: AuthUser,
    options: { sampleMembers?: number } = {},
  ): Promise<VerifyResult> {
    const record = await this.get(orgId, id);
    if (record.status === 'DELETING')
      throw new ConflictException(`DelegationCredential with id ${id} is being deleted`);
    this.assertActorInDomain(record, actor, 'verify');
    const checkedAt = new Date();
    const evidence = { checkedAt, sameStateAs: { enabled: record.enabled, generation: record.generation } };
    let result: VerifyResult;
    // A token minted before a revocation keeps working until it expires: verify with a new one.
    this.providers.evict(record.id);
    try {
      const access = await this.check(record, this.credentials.toDelegated(record), actor);
      if (!(await this.health.passed(record, 'verify', evidence)).matched) throw changedMeanwhile(id);
      result = { verified: true, subject: access.subject, calendarCount: access.calendarCount, checkedAt };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      this.providers.evict(record.id);
      if (!error.permanent) {
        await this.audit(record, actor, 'VERIFY', false, { error: describe(error) });
        throw error; // transient: we could not verify (502/503), nothing is recorded on the credential
      }
      if (
        error.scope === 'credential' &&
        !(await this.health.failed(record, error, 'verify', evidence)).matched
      )
        throw changedMeanwhile(id);
      const reason = { ...describe(error), scope: error.scope, at: checkedAt.toISOString() };
      result = { verified: false, reason, subject: actor.email, checkedAt };
    }
    if (options.sampleMembers !== undefined)
      result.sample = await this.preflight(record, options.sampleMembers, result);
    await this.audit(record, actor, 'VERIFY', result.verified, {
      ...(result.calendarCount !== undefined ? { calendarCount: result.calendarCount } : {}),
      ...(result.reason ? { error: { type: result.reason.type, message: result.reason.message } } : {}),
      ...(result.sample
        ? {
            sample: {
              checked: result.sample.checked,
              reachable: result.sample.reachable,
              failing: result.sample.failing.length,
            },
          }
        : {}),
    });
    return result;
  }

  /**
   * Preflight: checks a random sample of up to `size` matching members through the provider, the way their
   * verification would (disabled credentials too — that is its point: see who would connect before enabling).
   * Nothing is written. Skipped when the credential itself failed the check: every member would fail the same way.
   */
  private async preflight(
    record: CredentialRecord,
    size: number,
    check: VerifyResult,
  ): Promise<PreflightSample> {
    const { matching, members } = await this.members.sampleMatchingMembers(record, size);
    const sample: PreflightSample = { requested: size, matching, checked: 0, reachable: 0, failing: [] };
    if (check.reason?.scope === 'credential') {
      return {
        ...sample,
        skipped: `The credential itself failed the check (${check.reason.type}): every member would fail the same way`,
      };
    }
    const provider = this.providers.get(record.workspacePlatform.slug as WorkspacePlatformSlug);
    const credential = this.credentials.toDelegated(record);
    const outcomes: (PreflightFailure | null)[] = new Array<PreflightFailure | null>(members.length);
    let next = 0;
    const worker = async () => {
      while (next < members.length) {
        const index = next++;
        const member = members[index];
        try {
          await provider.checkAccess(credential, member.email);
          outcomes[index] = null;
        } catch (error) {
          if (!(error instanceof ProviderError)) throw error;
          outcomes[index] = {
            userId: member.userId,
            email: member.email,
            type: error.type,
            message: error.message,
            scope: error.scope,
            permanent: error.permanent,
          };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PREFLIGHT_CONCURRENCY, members.length) }, worker));
    const failing = outcomes.filter((o): o is PreflightFailure => o !== null);
    failing.sort((a, b) => a.userId - b.userId);
    return { ...sample, checked: members.length, reachable: members.length - failing.length, failing };
  }

  /**
   * Resync now: queues a job that checks the credential through the provider, provisions every matching member
   * again (new ones get their credential and preferences) and re-verifies every member at the provider rate — what
   * the periodic check and the backoff would get to eventually. Enabled credentials only (409 otherwise).
   */
  async resync(orgId: number, id: string, actor: AuthUser): Promise<ResyncResult> {
    const record = await this.get(orgId, id);
    if (record.status === 'DELETING')
      throw new ConflictException(`DelegationCredential with id ${id} is being deleted`);
    if (!record.enabled) {
      throw new ConflictException(
        `DelegationCredential with id ${id} is not enabled: enable it (which provisions every member) instead`,
      );
    }
    const requestedAt = new Date();
    const jobId = await this.credentials.requestResync(record, requestedAt, {
      actorUserId: actor.id,
      action: 'RESYNC',
      details: { generation: record.generation },
    });
    return { delegationCredentialId: record.id, requestedAt, jobId };
  }

  /** Starts deletion: disables, marks `deleting`, and queues the cleanup job that removes the row when done. */
  async remove(orgId: number, id: string, actor: AuthUser): Promise<CredentialRecord> {
    const record = await this.get(orgId, id);
    // Already deleting: the delete job is recorded again (same job id: harmless) and nothing else changes.
    const deleting = await this.credentials.markDeleting(record, new Date(), {
      actorUserId: actor.id,
      action: 'DELETE',
      details: { wasEnabled: record.enabled },
    });
    if (record.status === 'DELETING') return deleting;
    this.providers.evict(record.id);
    return deleting;
  }

  /**
   * Member provisioning progress of one credential: one statement over the organization's memberships, cached
   * until a member credential of it (`dcm:`) or a membership of the organization (`org:`, a member's email
   * included) changes — the database notifies both at commit (ReadCacheService), so the counts stay exact.
   */
  memberCounts(record: CredentialRecord): Promise<MemberCounts> {
    return this.counts.get(
      `${record.id}|${record.organizationId}|${record.domain}`,
      () =>
        this.members.counts({
          id: record.id,
          organizationId: record.organizationId,
          domain: record.domain,
          platform: record.workspacePlatform.slug as WorkspacePlatformSlug,
        }),
      () => [`dcm:${record.id}`, `org:${record.organizationId}`],
    );
  }

  async listMembers(orgId: number, id: string, take: number, skip: number) {
    const record = await this.get(orgId, id);
    return this.members.listMembers(record.id, take, skip);
  }

  async listAudit(orgId: number, id: string, take: number, skip: number) {
    const events = await this.credentials.listAudit(orgId, id, take, skip);
    if (!events.length && skip === 0 && !(await this.credentials.findInOrg(orgId, id))) {
      throw new NotFoundException(`DelegationCredential with id ${id} not found`);
    }
    return events;
  }

  private async enable(record: CredentialRecord, actor: AuthUser, newKey: ParsedServiceAccountKey | null) {
    this.assertActorInDomain(record, actor, 'enable');
    if (await this.credentials.isEnabledElsewhere(record.domain, record.organizationId)) {
      throw new ConflictException(enabledElsewhere(record.domain));
    }
    const candidate = newKey
      ? this.credentials.candidate(record, newKey)
      : this.credentials.toDelegated(record);
    await this.checkOrAudit(record, candidate, actor, 'ENABLE', { keyRotated: !!newKey });

    let enabled: CredentialRecord | null;
    try {
      enabled = await this.credentials.enable(record, newKey, new Date(), {
        actorUserId: actor.id,
        action: 'ENABLE',
        details: { keyRotated: !!newKey },
      });
    } catch (error) {
      if (error instanceof DomainEnabledElsewhereError)
        throw new ConflictException(enabledElsewhere(record.domain));
      throw error;
    }
    if (!enabled) {
      const current = await this.get(record.organizationId, record.id);
      if (current.enabled) return current; // a concurrent request enabled it first
      throw changedMeanwhile(record.id); // its key was replaced (or it is being deleted) while we checked
    }
    if (newKey) this.providers.evict(record.id);
    return enabled;
  }

  private async applyDisabled(
    record: CredentialRecord,
    actor: AuthUser,
    newKey: ParsedServiceAccountKey | null,
  ) {
    if (!record.enabled) {
      if (!newKey) return record; // disabled → disabled: no-op
      const updated = await this.credentials.replaceKey(record, newKey, null, {
        actorUserId: actor.id,
        action: 'ROTATE_KEY',
        details: { checked: false },
      });
      if (!updated) throw changedMeanwhile(record.id); // e.g. enabled meanwhile: an unchecked key must not land
      this.providers.evict(record.id);
      return updated;
    }
    const disabled = await this.credentials.disable(record, newKey, new Date(), {
      actorUserId: actor.id,
      action: 'DISABLE',
      details: { keyRotated: !!newKey },
    });
    if (!disabled) return this.get(record.organizationId, record.id);
    this.providers.evict(record.id);
    return disabled;
  }

  /** Rotation without an outage: the new key must pass the check before it replaces the old one. */
  private async rotateEnabledKey(record: CredentialRecord, actor: AuthUser, newKey: ParsedServiceAccountKey) {
    this.assertActorInDomain(record, actor, 'rotate the key of');
    await this.checkOrAudit(record, this.credentials.candidate(record, newKey), actor, 'ROTATE_KEY', {});
    const updated = await this.credentials.replaceKey(record, newKey, new Date(), {
      actorUserId: actor.id,
      action: 'ROTATE_KEY',
      details: { checked: true, wasFailing: record.status === 'FAILING' },
    });
    if (!updated) throw changedMeanwhile(record.id);
    this.providers.evict(record.id);
    return updated;
  }

  private async checkOrAudit(
    record: CredentialRecord,
    credential: DelegatedCredential,
    actor: AuthUser,
    action: AuditAction,
    details: Record<string, unknown>,
  ): Promise<AccessCheckResult> {
    try {
      return await this.check(record, credential, actor);
    } catch (error) {
      if (error instanceof ProviderError) {
        // The admin will fix the provider side and retry: a token minted before (e.g. without consent) must not stick.
        this.providers.evict(record.id);
        await this.audit(record, actor, action, false, { ...details, error: describe(error) });
      }
      throw error;
    }
  }

  private check(
    record: CredentialRecord,
    credential: DelegatedCredential,
    actor: AuthUser,
  ): Promise<AccessCheckResult> {
    const platform = record.workspacePlatform.slug as WorkspacePlatformSlug;
    return this.providers.get(platform).checkAccess(credential, actor.email);
  }

  private parseKeyFor(platform: WorkspacePlatformSlug, value: unknown): ParsedServiceAccountKey {
    const result = parseServiceAccountKey(value);
    if (!result.ok) throw new BadRequestException(result.errors.join(', '));
    const mismatch = keyPlatformMismatch(platform, result.parsed);
    if (mismatch) throw new BadRequestException(mismatch);
    return result.parsed;
  }

  /**
   * Enabling acts for the whole domain through the acting admin's mailbox: the admin must be in that domain and have
   * a verified email (Cal.com's web app checks the latter; its API v2 skips it).
   */
  private assertActorInDomain(record: CredentialRecord, actor: AuthUser, action: string): void {
    if (!actor.emailVerified) {
      throw new ForbiddenException(
        `To ${action} a delegation credential your email address ${actor.email} must be verified`,
      );
    }
    if (emailDomain(actor.email) !== record.domain) {
      throw new ForbiddenException(
        `To ${action} a delegation credential your email must belong to its domain: ${actor.email} is not in ${record.domain}`,
      );
    }
  }

  /**
   * The audit row of an attempt that changed nothing (a refused provider check, a verification); state changes write
   * theirs in their own transaction (AuditNote).
   */
  private async audit(
    record: CredentialRecord,
    actor: AuthUser,
    action: AuditAction,
    success: boolean,
    details: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.credentials.audit({
        credentialId: record.id,
        organizationId: record.organizationId,
        actorUserId: actor.id,
        action,
        outcome: success ? 'SUCCESS' : 'FAILURE',
        details: details as Prisma.InputJsonObject,
      });
    } catch (error) {
      // The change itself succeeded; a lost audit row is logged loudly rather than failing the request.
      this.logger.error(`audit ${action} for ${record.id} not written: ${(error as Error).message}`);
    }
  }
}

/** A concurrent request (enable, disable, delete) changed the credential between our read and our write. */
function changedMeanwhile(id: string): ConflictException {
  return new ConflictException(
    `DelegationCredential with id ${id} was changed by another request meanwhile; retry`,
  );
}

function describe(error: ProviderError): { type: string; message: string } {
  return { type: error.type, message: error.message };
}
