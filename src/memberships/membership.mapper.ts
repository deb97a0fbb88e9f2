import type { OrganizationMembershipOutput } from './dto/org-membership.output';
import type { MembershipRecord } from './memberships.repository';

/** Whitelists response fields (the custom role id and timestamps stay internal). */
export function toOrganizationMembershipOutput(record: MembershipRecord): OrganizationMembershipOutput {
  return {
    id: record.id,
    userId: record.userId,
    teamId: record.teamId,
    accepted: record.accepted,
    role: record.role,
    disableImpersonation: record.disableImpersonation,
    user: { email: record.user.email, username: record.user.username, name: record.user.name },
    attributes: [],
  };
}
