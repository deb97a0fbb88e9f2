import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { AuthUser } from '../common/http/request-context';
import { isPrismaError, isUniqueViolation } from '../prisma/prisma-errors';
import type { CreateOrgMembershipDto } from './dto/create-org-membership.input';
import type { UpdateOrgMembershipDto } from './dto/update-org-membership.input';
import {
  LastOrgAdminError,
  LastOrgOwnerError,
  type MembershipChange,
  type MembershipRecord,
  MembershipsRepository,
} from './memberships.repository';
import { OrgRolePolicy } from './org-role.policy';

export const membershipNotFound = (id: number, orgId: number): NotFoundException =>
  new NotFoundException(`Membership with id ${id} within organization id ${orgId} not found`);

export const lastAdminConflict = (orgId: number): ConflictException =>
  new ConflictException(
    `Organization ${orgId} must keep at least one accepted owner or admin: promote or accept another one first.`,
  );

export const lastOwnerConflict = (orgId: number): ConflictException =>
  new ConflictException(
    `Organization ${orgId} must keep at least one accepted owner: make another member owner first.`,
  );

/**
 * Runs a guarded membership write, turning the last-owner and last-admin rules into a 409. An organization always
 * keeps an accepted OWNER: without one nobody but a system admin could grant the role again.
 */
export async function keepingAnOwner<T>(orgId: number, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof LastOrgOwnerError) throw lastOwnerConflict(orgId);
    if (error instanceof LastOrgAdminError) throw lastAdminConflict(orgId);
    throw error;
  }
}

const CHANGE_FIELDS = ['accepted', 'role', 'disableImpersonation'] as const;

/**
 * Organization membership rules: org scoping, owner-only rules, the last-owner and last-admin rules. Each change that
 * can affect delegated calendar access commits with the member's sync job (see MembershipsRepository).
 */
@Injectable()
export class MembershipsService {
  constructor(
    private readonly memberships: MembershipsRepository,
    private readonly policy: OrgRolePolicy,
  ) {}

  list(orgId: number, take: number, skip: number): Promise<MembershipRecord[]> {
    return this.memberships.listInOrg(orgId, take, skip);
  }

  async get(orgId: number, id: number): Promise<MembershipRecord> {
    const record = await this.memberships.findInOrg(orgId, { id });
    if (!record) throw membershipNotFound(id, orgId);
    return record;
  }

  async create(orgId: number, actor: AuthUser, input: CreateOrgMembershipDto): Promise<MembershipRecord> {
    await this.policy.assertMayManage(orgId, actor, [input.role]);
    const userNotFound = () => new NotFoundException(`User with id ${input.userId} not found`);
    if (!(await this.memberships.userExists(input.userId))) throw userNotFound();
    let record: MembershipRecord;
    try {
      record = await this.memberships.create(orgId, {
        userId: input.userId,
        role: input.role,
        accepted: input.accepted,
        disableImpersonation: input.disableImpersonation,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictException(`User ${input.userId} is already a member of organization ${orgId}`);
      }
      if (isPrismaError(error, 'P2003')) throw userNotFound(); // deleted between the check and the insert
      throw error;
    }
    return record;
  }

  async update(
    orgId: number,
    id: number,
    actor: AuthUser,
    input: UpdateOrgMembershipDto,
  ): Promise<MembershipRecord> {
    const change: MembershipChange = {
      accepted: input.accepted,
      role: input.role,
      disableImpersonation: input.disableImpersonation,
    };
    if (CHANGE_FIELDS.every((field) => change[field] === undefined)) {
      throw new BadRequestException('Nothing to update: send accepted, role and/or disableImpersonation');
    }
    const current = await this.get(orgId, id);
    // Same values as stored: no write (updatedAt stays) and no job.
    const unchanged = CHANGE_FIELDS.every(
      (field) => change[field] === undefined || change[field] === current[field],
    );
    if (unchanged) return current;
    await this.policy.assertMayManage(orgId, actor, [current.role, change.role]);

    const result = await keepingAnOwner(orgId, () => this.memberships.update(orgId, id, change));
    if (!result) throw membershipNotFound(id, orgId);
    return result.after;
  }

  async remove(orgId: number, id: number, actor: AuthUser): Promise<MembershipRecord> {
    const current = await this.get(orgId, id);
    await this.policy.assertMayManage(orgId, actor, [current.role]);
    const removed = await keepingAnOwner(orgId, () => this.memberships.remove(orgId, { id }));
    if (!removed) throw membershipNotFound(id, orgId);
    return removed;
  }
}
