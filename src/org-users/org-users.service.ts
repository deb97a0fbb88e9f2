import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { AuthUser } from '../common/http/request-context';
import { MembershipsRepository } from '../memberships/memberships.repository';
import { keepingAnOwner } from '../memberships/memberships.service';
import { OrgRolePolicy } from '../memberships/org-role.policy';
import { isUniqueViolation } from '../prisma/prisma-errors';
import type { CreateOrganizationUserInput } from './dto/create-org-user.input';
import type { UpdateOrganizationUserInput } from './dto/update-org-user.input';
import { type OrgUserRecord, type UserChange, OrgUsersRepository } from './org-users.repository';

const userNotFound = (userId: number, orgId: number) =>
  new NotFoundException(`User with id ${userId} within organization id ${orgId} not found`);
const emailConflict = (email: string) => new ConflictException(`User with email ${email} already exists`);
const usernameConflict = (username: string) => new ConflictException(`Username ${username} is already taken`);

const USER_FIELDS = ['email', 'name', 'username'] as const;

/**
 * Organization users: creating a user straight into the organization, editing members' profiles, and removing
 * members. Changes that move delegated calendar access (joining, leaving, a new email domain) commit with the member's
 * sync job (see OrgUsersRepository).
 */
@Injectable()
export class OrgUsersService {
  constructor(
    private readonly users: OrgUsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly policy: OrgRolePolicy,
  ) {}

  list(orgId: number, take: number, skip: number): Promise<OrgUserRecord[]> {
    return this.users.listInOrg(orgId, take, skip);
  }

  async create(orgId: number, actor: AuthUser, input: CreateOrganizationUserInput): Promise<OrgUserRecord> {
    await this.policy.assertMayManage(orgId, actor, [input.organizationRole]);
    await this.assertFree(input.email, input.username);
    let record: OrgUserRecord;
    try {
      record = await this.users.createWithMembership(
        orgId,
        { email: input.email, name: input.name, username: input.username },
        { role: input.organizationRole, accepted: input.autoAccept },
      );
    } catch (error) {
      // Lost a race with another request taking the same email or username.
      if (isUniqueViolation(error)) await this.assertFree(input.email, input.username);
      throw error;
    }
    return record;
  }

  async update(
    orgId: number,
    userId: number,
    actor: AuthUser,
    input: UpdateOrganizationUserInput,
  ): Promise<OrgUserRecord> {
    if (USER_FIELDS.every((field) => input[field] === undefined)) {
      throw new BadRequestException('Nothing to update: send email, name and/or username');
    }
    const current = await this.users.findInOrg(orgId, userId);
    if (!current) throw userNotFound(userId, orgId);
    const change: UserChange = {};
    for (const field of USER_FIELDS) {
      if (input[field] !== undefined && input[field] !== current.user[field]) change[field] = input[field];
    }
    // Same values as stored: no write and no job.
    if (Object.keys(change).length === 0) return current;
    await this.policy.assertMayManage(orgId, actor, [current.role]);
    if (change.email !== undefined && !actor.isSystemAdmin) {
      // One account serves every organization, and its email decides which mailbox delegation acts on: an admin of
      // one organization must not re-point the account of someone who also belongs elsewhere.
      const others = (await this.users.teamIdsOf(userId)).filter((id) => id !== orgId);
      if (others.length) {
        throw new ForbiddenException(
          `User ${userId} also belongs to other teams or organizations: their email can only be changed by themselves or a system admin`,
        );
      }
    }
    await this.assertFree(change.email, change.username, userId);

    let updated: OrgUserRecord | null;
    try {
      updated = await this.users.updateUser(orgId, userId, change);
    } catch (error) {
      if (isUniqueViolation(error)) await this.assertFree(change.email, change.username, userId);
      throw error;
    }
    if (!updated) throw userNotFound(userId, orgId);
    return updated;
  }

  /** Removes the user's membership in this organization; the user account stays. */
  async remove(orgId: number, userId: number, actor: AuthUser): Promise<OrgUserRecord> {
    const current = await this.users.findInOrg(orgId, userId);
    if (!current) throw userNotFound(userId, orgId);
    await this.policy.assertMayManage(orgId, actor, [current.role]);
    const removed = await keepingAnOwner(orgId, () => this.memberships.remove(orgId, { userId }));
    if (!removed) throw userNotFound(userId, orgId);
    return current;
  }

  /** 409 naming what is taken: the email or the username (of a user other than `exceptUserId`). */
  private async assertFree(email?: string, username?: string, exceptUserId?: number): Promise<void> {
    if (email !== undefined && (await this.users.emailTaken(email, exceptUserId))) throw emailConflict(email);
    if (username !== undefined && (await this.users.usernameTaken(username, exceptUserId))) {
      throw usernameConflict(username);
    }
  }
}
