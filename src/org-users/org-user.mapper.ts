import type { OrganizationUserOutput } from './dto/org-user.output';
import type { OrgUserRecord } from './org-users.repository';

/** Whitelists response fields: the user's profile and their membership in the route's organization. */
export function toOrganizationUserOutput(record: OrgUserRecord): OrganizationUserOutput {
  return {
    id: record.user.id,
    email: record.user.email,
    name: record.user.name,
    username: record.user.username,
    organizationId: record.teamId,
    role: record.role,
    accepted: record.accepted,
    createdAt: record.user.createdAt,
  };
}
