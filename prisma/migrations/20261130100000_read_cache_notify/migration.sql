-- Immediate invalidation of the API processes' read caches (src/prisma/read-cache.service.ts): a delegation
-- credential's member counts and a member's calendar context. Every change to a row they read sends, when its
-- transaction commits, the tags of the changed rows on channel `read_cache_changed` (newline separated; `*` = drop
-- everything). Tags are documented in src/prisma/read-cache.service.ts. Statement-level triggers with transition
-- tables: a bulk statement sends one notification; more than 250 changed rows (a long payload, a TRUNCATE) send `*`.
-- Columns nobody caches (Credential.lastCheckedAt, attempts, nextCheckAt, updatedAt, …) do not notify.

CREATE FUNCTION read_cache_notify(tags text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  payload text;
BEGIN
  IF tags IS NULL OR cardinality(tags) = 0 THEN
    RETURN;
  END IF;
  payload := array_to_string(ARRAY(SELECT DISTINCT tag FROM unnest(tags) AS tag WHERE tag IS NOT NULL), E'\n');
  IF payload = '' THEN
    RETURN;
  END IF;
  IF length(payload) > 7000 THEN
    payload := '*';
  END IF;
  PERFORM pg_notify('read_cache_changed', payload);
END $$;

CREATE FUNCTION read_cache_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('read_cache_changed', '*');
  RETURN NULL;
END $$;

-- Credential: a member credential added, removed, or its sync state changed (counts: `dcm:`); any credential of a
-- user added, removed or changed in what the calendar context reads (`u:`).
CREATE FUNCTION read_cache_notify_credential() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 250 THEN
      PERFORM pg_notify('read_cache_changed', '*');
      RETURN NULL;
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 250 THEN
    PERFORM pg_notify('read_cache_changed', '*');
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || "userId", 'dcm:' || "delegationCredentialId"]) FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || o."userId", 'dcm:' || o."delegationCredentialId",
                          'u:' || n."userId", 'dcm:' || n."delegationCredentialId"])
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o."userId", o."delegationCredentialId", o."syncState", o.type, o."appId", o.invalid,
             o."encryptedKey", o."keyVersion")
            IS DISTINCT FROM
            (n."userId", n."delegationCredentialId", n."syncState", n.type, n."appId", n.invalid,
             n."encryptedKey", n."keyVersion")
     ));
  ELSE
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || "userId", 'dcm:' || "delegationCredentialId"]) FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_credential_insert AFTER INSERT ON "Credential"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_credential();
CREATE TRIGGER read_cache_credential_update AFTER UPDATE ON "Credential"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_credential();
CREATE TRIGGER read_cache_credential_delete AFTER DELETE ON "Credential"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_credential();
CREATE TRIGGER read_cache_credential_truncate AFTER TRUNCATE ON "Credential"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();

-- Membership: joined, left, accepted or not (counts of the organization: `org:`; the member's calendar context).
CREATE FUNCTION read_cache_notify_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 250 THEN
      PERFORM pg_notify('read_cache_changed', '*');
      RETURN NULL;
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 250 THEN
    PERFORM pg_notify('read_cache_changed', '*');
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || "userId", 'org:' || "teamId"]) FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || o."userId", 'org:' || o."teamId", 'u:' || n."userId", 'org:' || n."teamId"])
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o."userId", o."teamId", o.accepted) IS DISTINCT FROM (n."userId", n."teamId", n.accepted)
     ));
  ELSE
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || "userId", 'org:' || "teamId"]) FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_membership_insert AFTER INSERT ON "Membership"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_membership();
CREATE TRIGGER read_cache_membership_update AFTER UPDATE ON "Membership"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_membership();
CREATE TRIGGER read_cache_membership_delete AFTER DELETE ON "Membership"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_membership();
CREATE TRIGGER read_cache_membership_truncate AFTER TRUNCATE ON "Membership"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();

-- User: an email change moves the user to another domain (their organizations' counts of matching members, their
-- calendar context). Deletion cascades to memberships and credentials, which notify on their own.
CREATE FUNCTION read_cache_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 250 THEN
      PERFORM pg_notify('read_cache_changed', '*');
      RETURN NULL;
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 250 THEN
    PERFORM pg_notify('read_cache_changed', '*');
    RETURN NULL;
  END IF;
  PERFORM read_cache_notify(ARRAY(
    SELECT 'u:' || n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.email IS DISTINCT FROM n.email
    UNION ALL
    SELECT 'org:' || m."teamId"
    FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN "Membership" m ON m."userId" = n.id
    WHERE o.email IS DISTINCT FROM n.email
   ));
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_user_update AFTER UPDATE ON "User"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user();
CREATE TRIGGER read_cache_user_truncate AFTER TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();

-- Team: no longer (or now) an organization changes whose members delegation covers. Rare: drop everything.
CREATE FUNCTION read_cache_notify_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE o."isOrganization" IS DISTINCT FROM n."isOrganization") THEN
    PERFORM pg_notify('read_cache_changed', '*');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_team_update AFTER UPDATE ON "Team"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_team();

-- DelegationCredential: created, enabled or disabled, key rotated, status or error changed, deleted. The calendar
-- contexts of the domain's members (`dom:`) carry the record.
CREATE FUNCTION read_cache_notify_delegation_credential() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 250 THEN
      PERFORM pg_notify('read_cache_changed', '*');
      RETURN NULL;
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 250 THEN
    PERFORM pg_notify('read_cache_changed', '*');
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM read_cache_notify(ARRAY(SELECT 'dom:' || domain FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['dom:' || o.domain, 'dom:' || n.domain])
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE to_jsonb(o) - 'updatedAt' IS DISTINCT FROM to_jsonb(n) - 'updatedAt'
     ));
  ELSE
    PERFORM read_cache_notify(ARRAY(SELECT 'dom:' || domain FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_delegation_credential_insert AFTER INSERT ON "DelegationCredential"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_delegation_credential();
CREATE TRIGGER read_cache_delegation_credential_update AFTER UPDATE ON "DelegationCredential"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_delegation_credential();
CREATE TRIGGER read_cache_delegation_credential_delete AFTER DELETE ON "DelegationCredential"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_delegation_credential();
CREATE TRIGGER read_cache_delegation_credential_truncate AFTER TRUNCATE ON "DelegationCredential"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();

-- SelectedCalendar, DestinationCalendar: the member's calendar context.
CREATE FUNCTION read_cache_notify_user_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 250 THEN
      PERFORM pg_notify('read_cache_changed', '*');
      RETURN NULL;
    END IF;
  ELSIF (SELECT count(*) FROM old_rows) > 250 THEN
    PERFORM pg_notify('read_cache_changed', '*');
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM read_cache_notify(ARRAY(SELECT 'u:' || "userId" FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM read_cache_notify(ARRAY(
      SELECT unnest(ARRAY['u:' || o."userId", 'u:' || n."userId"])
      FROM old_rows o JOIN new_rows n ON n.id = o.id));
  ELSE
    PERFORM read_cache_notify(ARRAY(SELECT 'u:' || "userId" FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER read_cache_selected_calendar_insert AFTER INSERT ON "SelectedCalendar"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_selected_calendar_update AFTER UPDATE ON "SelectedCalendar"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_selected_calendar_delete AFTER DELETE ON "SelectedCalendar"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_selected_calendar_truncate AFTER TRUNCATE ON "SelectedCalendar"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();
CREATE TRIGGER read_cache_destination_calendar_insert AFTER INSERT ON "DestinationCalendar"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_destination_calendar_update AFTER UPDATE ON "DestinationCalendar"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_destination_calendar_delete AFTER DELETE ON "DestinationCalendar"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_user_rows();
CREATE TRIGGER read_cache_destination_calendar_truncate AFTER TRUNCATE ON "DestinationCalendar"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();

-- WorkspacePlatform: its name and slug are part of a cached delegation credential. Rare: drop everything.
CREATE TRIGGER read_cache_workspace_platform_change AFTER UPDATE OR DELETE OR TRUNCATE ON "WorkspacePlatform"
  FOR EACH STATEMENT EXECUTE FUNCTION read_cache_notify_all();
