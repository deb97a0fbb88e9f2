-- An organization always keeps an accepted OWNER (memberships and org users endpoints refuse to remove the last
-- one). Organizations created before that rule may have admins only: promote the oldest accepted ADMIN of each.
UPDATE "Membership" AS m
SET "role" = 'OWNER', "updatedAt" = now()
FROM (
  SELECT DISTINCT ON (a."teamId") a."id"
  FROM "Membership" AS a
  JOIN "Team" AS t ON t."id" = a."teamId" AND t."isOrganization"
  WHERE a."role" = 'ADMIN'
    AND a."accepted"
    AND NOT EXISTS (
      SELECT 1 FROM "Membership" AS o
      WHERE o."teamId" = a."teamId" AND o."role" = 'OWNER' AND o."accepted"
    )
  ORDER BY a."teamId", a."createdAt", a."id"
) AS oldest
WHERE m."id" = oldest."id";
