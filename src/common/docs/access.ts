/** Cal.com's access sentence on organization endpoints (role and the PBAC permission that also grants access). */
export const orgAdminAccess = (permission: string): string =>
  `Required membership role: \`org admin\`. PBAC permission: \`${permission}\`. Learn more about API access control at https://cal.com/docs/api-reference/v2/access-control`;
