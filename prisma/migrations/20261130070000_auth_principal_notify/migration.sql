-- Immediate invalidation of the API processes' cached principals (src/auth/principal-cache.service.ts).
-- Every change to a row that authentication or the organization guards read sends, when its transaction commits,
-- the tags of the changed rows on channel `auth_principal_changed` (newline separated; `*` = drop everything).
-- Tags are documented in src/auth/principal.ts. Statement-level triggers with transition tables: a bulk statement
-- sends one notification, and more than 200 changed rows (or 1,000 tags, a long payload, a TRUNCATE) send `*`.
-- Columns nobody caches (ApiKey.lastUsedAt, updatedAt, createdAt, note) do not notify.

CREATE FUNCTION auth_principal_notify(tags text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  payload text;
BEGIN
  IF tags IS NULL OR cardinality(tags) = 0 THEN
    RETURN;
  END IF;
  IF cardinality(tags) > 1000 THEN
    PERFORM pg_notify('auth_principal_changed', '*');
    RETURN;
  END IF;
  payload := array_to_string(ARRAY(SELECT DISTINCT tag FROM unnest(tags) AS tag WHERE tag IS NOT NULL), E'\n');
  IF payload = '' THEN
    RETURN;
  END IF;
  IF length(payload) > 7000 THEN
    payload := '*';
  END IF;
  PERFORM pg_notify('auth_principal_changed', payload);
END $$;

CREATE FUNCTION auth_principal_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('auth_principal_changed', '*');
  RETURN NULL;
END $$;

-- ApiKey: a key revoked (deleted), re-targeted or given another expiry.
CREATE FUNCTION auth_principal_notify_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (SELECT count(*) FROM new_rows) > 200 THEN
      PERFORM pg_notify('auth_principal_changed', '*');
    ELSE
      PERFORM auth_principal_notify(ARRAY(
        SELECT unnest(ARRAY['k:' || o."hashedKey", 'k:' || n."hashedKey"])
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o."hashedKey", o."userId", o."teamId", o."expiresAt")
              IS DISTINCT FROM (n."hashedKey", n."userId", n."teamId", n."expiresAt")));
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 200 THEN
    PERFORM pg_notify('auth_principal_changed', '*');
  ELSE
    PERFORM auth_principal_notify(ARRAY(SELECT 'k:' || "hashedKey" FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_api_key_update AFTER UPDATE ON "ApiKey"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_api_key();
CREATE TRIGGER auth_principal_api_key_delete AFTER DELETE ON "ApiKey"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_api_key();
CREATE TRIGGER auth_principal_api_key_truncate AFTER TRUNCATE ON "ApiKey"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();

-- User: email, name, system role (promoted / demoted system admin), email verification; deletion.
CREATE FUNCTION auth_principal_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (SELECT count(*) FROM new_rows) > 200 THEN
      PERFORM pg_notify('auth_principal_changed', '*');
    ELSE
      PERFORM auth_principal_notify(ARRAY(
        SELECT 'u:' || o.id
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.email, o.name, o.role, o."emailVerified" IS NULL)
              IS DISTINCT FROM (n.email, n.name, n.role, n."emailVerified" IS NULL)));
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 200 THEN
    PERFORM pg_notify('auth_principal_changed', '*');
  ELSE
    PERFORM auth_principal_notify(ARRAY(SELECT 'u:' || id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_user_update AFTER UPDATE ON "User"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_user();
CREATE TRIGGER auth_principal_user_delete AFTER DELETE ON "User"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_user();
CREATE TRIGGER auth_principal_user_truncate AFTER TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();

-- Team: created (a principal may have been resolved for an id that did not exist yet), flags changed, deleted.
CREATE FUNCTION auth_principal_notify_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM auth_principal_notify(ARRAY(SELECT 't:' || id FROM new_rows LIMIT 1001));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM auth_principal_notify(ARRAY(
      SELECT 't:' || o.id
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.slug, o."isOrganization", o."isPlatform", o."platformBillingPlan", o."adminApiEnabled", o."pbacEnabled")
            IS DISTINCT FROM
            (n.slug, n."isOrganization", n."isPlatform", n."platformBillingPlan", n."adminApiEnabled", n."pbacEnabled")
      LIMIT 1001));
  ELSE
    PERFORM auth_principal_notify(ARRAY(SELECT 't:' || id FROM old_rows LIMIT 1001));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_team_insert AFTER INSERT ON "Team"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_team();
CREATE TRIGGER auth_principal_team_update AFTER UPDATE ON "Team"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_team();
CREATE TRIGGER auth_principal_team_delete AFTER DELETE ON "Team"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_team();
CREATE TRIGGER auth_principal_team_truncate AFTER TRUNCATE ON "Team"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();

-- Membership: joined, left, role / accepted / custom role changed. `co:<team>`: the user an OAuth client of the
-- team acts as (its accepted owner, else admin) may have changed.
CREATE FUNCTION auth_principal_notify_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 200 THEN
      PERFORM pg_notify('auth_principal_changed', '*');
    ELSE
      PERFORM auth_principal_notify(ARRAY(
        SELECT unnest(ARRAY['m:' || "userId" || ':' || "teamId", 'co:' || "teamId"]) FROM new_rows));
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF (SELECT count(*) FROM new_rows) > 200 THEN
      PERFORM pg_notify('auth_principal_changed', '*');
    ELSE
      PERFORM auth_principal_notify(ARRAY(
        SELECT unnest(ARRAY['m:' || o."userId" || ':' || o."teamId", 'co:' || o."teamId",
                            'm:' || n."userId" || ':' || n."teamId", 'co:' || n."teamId"])
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o."userId", o."teamId", o.role, o.accepted, o."customRoleId")
              IS DISTINCT FROM (n."userId", n."teamId", n.role, n.accepted, n."customRoleId")));
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 200 THEN
    PERFORM pg_notify('auth_principal_changed', '*');
  ELSE
    PERFORM auth_principal_notify(ARRAY(
      SELECT unnest(ARRAY['m:' || "userId" || ':' || "teamId", 'co:' || "teamId"]) FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_membership_insert AFTER INSERT ON "Membership"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_membership();
CREATE TRIGGER auth_principal_membership_update AFTER UPDATE ON "Membership"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_membership();
CREATE TRIGGER auth_principal_membership_delete AFTER DELETE ON "Membership"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_membership();
CREATE TRIGGER auth_principal_membership_truncate AFTER TRUNCATE ON "Membership"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();

-- Role: a custom role's PBAC permissions changed, or the role deleted (its memberships are set null as well).
CREATE FUNCTION auth_principal_notify_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM auth_principal_notify(ARRAY(
      SELECT 'r:' || o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.permissions, o."teamId") IS DISTINCT FROM (n.permissions, n."teamId")
      LIMIT 1001));
  ELSE
    PERFORM auth_principal_notify(ARRAY(SELECT 'r:' || id FROM old_rows LIMIT 1001));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_role_update AFTER UPDATE ON "Role"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_role();
CREATE TRIGGER auth_principal_role_delete AFTER DELETE ON "Role"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_role();
CREATE TRIGGER auth_principal_role_truncate AFTER TRUNCATE ON "Role"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();

-- PlatformOAuthClient: secret rotated, moved, deleted.
CREATE FUNCTION auth_principal_notify_oauth_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM auth_principal_notify(ARRAY(
      SELECT 'c:' || o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.id, o."secretHash", o."organizationId") IS DISTINCT FROM (n.id, n."secretHash", n."organizationId")
      LIMIT 1001));
  ELSE
    PERFORM auth_principal_notify(ARRAY(SELECT 'c:' || id FROM old_rows LIMIT 1001));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_principal_oauth_client_update AFTER UPDATE ON "PlatformOAuthClient"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_oauth_client();
CREATE TRIGGER auth_principal_oauth_client_delete AFTER DELETE ON "PlatformOAuthClient"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_oauth_client();
CREATE TRIGGER auth_principal_oauth_client_truncate AFTER TRUNCATE ON "PlatformOAuthClient"
  FOR EACH STATEMENT EXECUTE FUNCTION auth_principal_notify_all();
