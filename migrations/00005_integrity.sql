-- +goose Up

-- Who acts in a transaction. internal/postgres sets these with
-- set_config(..., true) at the start of every transaction it opens for a
-- principal (never for the session): irm.role is FOCAL_POINT,
-- WORKING_GROUP, SECRETARIAT or SYSTEM (the service's own background
-- work), irm.state a focal point's State, irm.token the token's id.
-- +goose StatementBegin
CREATE FUNCTION irm_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.role', true), '') $$;
CREATE FUNCTION irm_state() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.state', true), '') $$;
CREATE FUNCTION irm_token() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.token', true), '')::bigint $$;
-- The State rule, as the row-level policies repeat it: a focal point reads
-- its own State's rows; working groups (aggregates across States), the
-- secretariat and the service itself read all. No principal, no rows.
CREATE FUNCTION irm_reads_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT irm_role() IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
-- Writes: a focal point its own State's rows; the secretariat and the
-- service any; a working-group member none.
CREATE FUNCTION irm_writes_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT irm_role() IN ('SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
-- +goose StatementEnd

-- Tokens: an optional expiry, the last use (updated at most once a minute),
-- and names unique among live tokens whatever their case, so that no
-- token can pass for another's holder.
ALTER TABLE tokens ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz;
UPDATE tokens t SET name = t.name || ' #' || t.id
WHERE t.revoked_at IS NULL AND EXISTS (SELECT 1 FROM tokens u
    WHERE u.revoked_at IS NULL AND lower(u.name) = lower(t.name) AND u.id < t.id);
CREATE UNIQUE INDEX tokens_live_name ON tokens (lower(name)) WHERE revoked_at IS NULL;

-- Who did it: the token and its role beside the name, filled from the
-- transaction's principal (NULL for rows written before this migration
-- or by the owner's tools without one).
ALTER TABLE submission_versions
    ADD COLUMN saved_by_token bigint REFERENCES tokens (id) DEFAULT irm_token(),
    ADD COLUMN saved_by_role  text DEFAULT irm_role();
ALTER TABLE review_comments
    ADD COLUMN author_token bigint REFERENCES tokens (id) DEFAULT irm_token(),
    ADD COLUMN author_role  text DEFAULT irm_role();

-- Audit: append-only, chained by hash. Each event's hash covers the
-- previous event's hash and its own canonical fields (see audit_canonical);
-- chain_seq orders the chain (ids are handed out before the append is
-- serialized, so they may commit out of order). The single-row head is
-- locked by every append, so concurrent writers chain one after another;
-- only the trigger (running as the owner) may touch it.
ALTER TABLE audit_events
    ADD COLUMN actor_token bigint REFERENCES tokens (id),
    ADD COLUMN actor_role  text,
    ADD COLUMN chain_seq   bigint UNIQUE,
    ADD COLUMN prev_hash   bytea,
    ADD COLUMN hash        bytea;

CREATE TABLE audit_chain_head (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    chain_seq bigint NOT NULL,
    hash      bytea NOT NULL
);

-- +goose StatementBegin
-- Length-prefixed fields, so that no two events share a text: "~" is NULL,
-- "N:bytes" a value of N bytes. internal/audit.Canonical is the same in Go.
CREATE FUNCTION audit_canonical(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '~' ELSE octet_length(f) || ':' || f END, '' ORDER BY i)
    FROM unnest(ARRAY[
        e.chain_seq::text, e.id::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor, e.actor_token::text, e.actor_role, e.action, e.subject, e.detail::text
    ]) WITH ORDINALITY AS t(f, i)
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head;
BEGIN
    -- Who acted comes from the transaction's principal, not from the row.
    NEW.actor_token := irm_token();
    NEW.actor_role := coalesce(irm_role(), 'db:' || session_user);
    NEW.at := now();
    UPDATE audit_chain_head SET chain_seq = chain_seq + 1 RETURNING * INTO head;
    NEW.chain_seq := head.chain_seq;
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(head.hash || convert_to(audit_canonical(NEW), 'UTF8'));
    UPDATE audit_chain_head SET hash = NEW.hash;
    RETURN NEW;
END $$;

CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Chain the events recorded so far, in id order.
DO $$
DECLARE
    e audit_events;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    n bigint := 0;
BEGIN
    FOR e IN SELECT * FROM audit_events ORDER BY id LOOP
        n := n + 1;
        e.chain_seq := n;
        e.prev_hash := prev;
        e.hash := sha256(prev || convert_to(audit_canonical(e), 'UTF8'));
        UPDATE audit_events SET chain_seq = e.chain_seq, prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
        prev := e.hash;
    END LOOP;
    INSERT INTO audit_chain_head (chain_seq, hash) VALUES (n, prev);
END $$;
-- +goose StatementEnd

ALTER TABLE audit_events ALTER COLUMN chain_seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();

-- Row-level security: the second wall behind internal/auth's policy. The
-- table owner (migrations, admin commands) is not subject to it; the
-- service's login is. Child rows follow their submission's visibility,
-- since the policies' subqueries see submissions through its policy.
ALTER TABLE submissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY submissions_read ON submissions FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY submissions_insert ON submissions FOR INSERT WITH CHECK (irm_writes_state(state_code));
CREATE POLICY submissions_update ON submissions FOR UPDATE
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
CREATE POLICY submissions_delete ON submissions FOR DELETE USING (irm_writes_state(state_code));

ALTER TABLE submission_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY submission_versions_read ON submission_versions FOR SELECT
    USING (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id));
CREATE POLICY submission_versions_insert ON submission_versions FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));

ALTER TABLE review_comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY review_comments_read ON review_comments FOR SELECT
    USING (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id));
CREATE POLICY review_comments_insert ON review_comments FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));

-- Observations: other States' values stay readable (trends and
-- observations across States), except CONFIDENTIAL ones, which only their
-- State and those who read every State see. observations_visible lists
-- every value a principal may know of, with a confidential value hidden
-- (NULL) from the others, as the API shows them; it runs as its owner.
ALTER TABLE observations ENABLE ROW LEVEL SECURITY;
CREATE POLICY observations_read ON observations FOR SELECT
    USING (irm_reads_state(state_code) OR (irm_role() IS NOT NULL AND status <> 'CONFIDENTIAL'));
CREATE POLICY observations_insert ON observations FOR INSERT WITH CHECK (irm_writes_state(state_code));
CREATE POLICY observations_update ON observations FOR UPDATE
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
CREATE POLICY observations_delete ON observations FOR DELETE USING (irm_writes_state(state_code));

ALTER TABLE observation_revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY observation_revisions_read ON observation_revisions FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY observation_revisions_insert ON observation_revisions FOR INSERT WITH CHECK (irm_writes_state(state_code));

CREATE VIEW observations_visible AS
SELECT o.indicator, o.breakdown_key, o.year, o.state_code, o.breakdown,
       CASE WHEN o.status <> 'CONFIDENTIAL' OR irm_role() IN ('SECRETARIAT', 'SYSTEM')
                 OR (irm_role() = 'FOCAL_POINT' AND o.state_code = irm_state())
            THEN o.value END AS value,
       o.status, o.revision, o.reported_at, o.reported_by
FROM observations o
WHERE irm_role() IS NOT NULL;

-- The State of a submission whatever the principal, so that the service
-- can tell a focal point that another State's submission is FORBIDDEN
-- rather than NOT_FOUND, as the API did before this wall; it reveals
-- nothing but the State of an id one already holds.
-- +goose StatementBegin
CREATE FUNCTION submission_state(id uuid) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $$ SELECT state_code FROM submissions WHERE submissions.id = $1 $$;
-- +goose StatementEnd

-- The answers projection: submission_answers until migration 00003
-- replaces it with answer_facts (which carries its State); whichever
-- exists gets the policy, and 00003's table is covered again below by
-- name when this runs after it.
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('submission_answers') IS NOT NULL THEN
        ALTER TABLE submission_answers ENABLE ROW LEVEL SECURITY;
        CREATE POLICY submission_answers_read ON submission_answers FOR SELECT
            USING (irm_role() IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
                   OR EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id));
        CREATE POLICY submission_answers_write ON submission_answers FOR ALL
            USING (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)))
            WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));
    END IF;
    IF to_regclass('answer_facts') IS NOT NULL THEN
        ALTER TABLE answer_facts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY answer_facts_read ON answer_facts FOR SELECT USING (irm_reads_state(state_code));
        CREATE POLICY answer_facts_write ON answer_facts FOR ALL
            USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('answer_facts') IS NOT NULL THEN
        DROP POLICY IF EXISTS answer_facts_read ON answer_facts;
        DROP POLICY IF EXISTS answer_facts_write ON answer_facts;
        ALTER TABLE answer_facts DISABLE ROW LEVEL SECURITY;
    END IF;
    IF to_regclass('submission_answers') IS NOT NULL THEN
        DROP POLICY IF EXISTS submission_answers_read ON submission_answers;
        DROP POLICY IF EXISTS submission_answers_write ON submission_answers;
        ALTER TABLE submission_answers DISABLE ROW LEVEL SECURITY;
    END IF;
END $$;
-- +goose StatementEnd
DROP FUNCTION submission_state(uuid);
DROP VIEW observations_visible;
DROP POLICY observation_revisions_read ON observation_revisions;
DROP POLICY observation_revisions_insert ON observation_revisions;
ALTER TABLE observation_revisions DISABLE ROW LEVEL SECURITY;
DROP POLICY observations_read ON observations;
DROP POLICY observations_insert ON observations;
DROP POLICY observations_update ON observations;
DROP POLICY observations_delete ON observations;
ALTER TABLE observations DISABLE ROW LEVEL SECURITY;
DROP POLICY review_comments_read ON review_comments;
DROP POLICY review_comments_insert ON review_comments;
ALTER TABLE review_comments DISABLE ROW LEVEL SECURITY;
DROP POLICY submission_versions_read ON submission_versions;
DROP POLICY submission_versions_insert ON submission_versions;
ALTER TABLE submission_versions DISABLE ROW LEVEL SECURITY;
DROP POLICY submissions_read ON submissions;
DROP POLICY submissions_insert ON submissions;
DROP POLICY submissions_update ON submissions;
DROP POLICY submissions_delete ON submissions;
ALTER TABLE submissions DISABLE ROW LEVEL SECURITY;
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP TRIGGER audit_events_chain ON audit_events;
DROP FUNCTION audit_refuse(), audit_chain(), audit_canonical(audit_events);
DROP TABLE audit_chain_head;
ALTER TABLE audit_events DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN chain_seq,
    DROP COLUMN actor_role, DROP COLUMN actor_token;
ALTER TABLE review_comments DROP COLUMN author_role, DROP COLUMN author_token;
ALTER TABLE submission_versions DROP COLUMN saved_by_role, DROP COLUMN saved_by_token;
DROP INDEX tokens_live_name;
ALTER TABLE tokens DROP COLUMN last_used_at, DROP COLUMN expires_at;
DROP FUNCTION irm_writes_state(text), irm_reads_state(text), irm_token(), irm_state(), irm_role();
