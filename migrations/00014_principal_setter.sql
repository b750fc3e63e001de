-- +goose Up

-- Until now the principal was whatever the transaction's settings said
-- (irm.role, irm.state, irm.token), and the app role writes them itself:
-- set_config('irm.role', 'SECRETARIAT', true) from the service's login
-- opened every State's rows. Now the settings count only with a seal that
-- irm_act() writes beside them: an HMAC-SHA-256, under a key only the
-- owner reads, over the principal, the backend and the transaction's start
-- (so a seal is worth nothing in another transaction), checked by
-- irm_sealed(). irm_act() seals only a principal it has verified: a live
-- token of exactly that role and State, or SYSTEM without a token. A bare
-- set_config, or a seal copied from another transaction, reads as no
-- principal (no rows, and audit events recorded as the database login).
--
-- What this does not stop: a compromised service can still call
-- irm_act('SYSTEM', '', 0), which the service's own background work needs,
-- or irm_act with the id of any live token (ids are not secrets). The
-- wall is against code that forgets, mixes up or hand-writes a principal,
-- not against the service's login itself (README, "The database as a
-- second wall").

CREATE TABLE irm_principal_key (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    -- HMAC's key (32 random bytes padded to SHA-256's 64-byte block)
    -- XOR ipad and XOR opad, computed once here.
    inner_pad bytea NOT NULL CHECK (length(inner_pad) = 64),
    outer_pad bytea NOT NULL CHECK (length(outer_pad) = 64)
);

-- +goose StatementBegin
DO $$
DECLARE
    k bytea := decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') || repeat('00', 32), 'hex');
    i bytea := k;
    o bytea := k;
    grantee text;
BEGIN
    FOR n IN 0..63 LOOP
        i := set_byte(i, n, get_byte(k, n) # 54);  -- 0x36
        o := set_byte(o, n, get_byte(k, n) # 92);  -- 0x5c
    END LOOP;
    INSERT INTO irm_principal_key (inner_pad, outer_pad) VALUES (i, o);
    -- Only the owner reads the key, whatever default privileges gave the
    -- app role as the table was created ("irm migrate --app-role" gives it
    -- nothing on it either: internal/postgres's appGrants).
    FOR grantee IN SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'irm_principal_key'::regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE ALL ON irm_principal_key FROM %s', grantee);
    END LOOP;
END $$;

-- The seal of the principal the settings name, in this transaction: run
-- only inside the owner's functions below (no one else may execute it),
-- whose search_path it uses.
-- The fields go in as a JSON array, so that no two principals share a
-- text; the transaction's start as microseconds, whatever DateStyle says.
CREATE FUNCTION irm_seal() RETURNS text LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    k irm_principal_key;
BEGIN
    SELECT * INTO k FROM irm_principal_key;
    RETURN encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(json_build_array(
        current_setting('irm.role', true), current_setting('irm.state', true), current_setting('irm.token', true),
        pg_backend_pid(), (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint)::text, 'UTF8'))), 'hex');
END $$;

-- Whether the settings carry irm_act's seal. Once per statement in every
-- policy (their sub-selects are InitPlans). PARALLEL RESTRICTED: a
-- parallel worker has another backend pid, so the leader evaluates it.
CREATE FUNCTION irm_sealed() RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    RETURN coalesce(current_setting('irm.seal', true) = irm_seal(), false);
END $$;

-- Acts as a principal for the rest of the transaction: what
-- internal/postgres runs right after BEGIN. A login that may act as the
-- owner is trusted as it is (row-level security does not hold it back
-- anyway); any other must name a live token of exactly that role and
-- State, or SYSTEM with none, or is refused (42501) and sealed as nothing.
CREATE FUNCTION irm_act(act_role text, act_state text, act_token bigint) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    IF act_role IS NULL OR act_role NOT IN ('FOCAL_POINT', 'WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
        OR act_state IS NULL OR (act_state <> '' AND act_state !~ '^[A-Z]{3}$')
        OR act_token IS NULL OR act_token < 0 THEN
        RAISE EXCEPTION 'irm_act: % % % is not a principal', act_role, act_state, act_token
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_has_role(session_user, current_user, 'USAGE') THEN
        IF act_role = 'SYSTEM' THEN
            IF act_state <> '' OR act_token <> 0 THEN
                RAISE EXCEPTION 'irm_act: SYSTEM acts with no State and no token'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM tokens t WHERE t.id = act_token AND t.role = act_role
                AND t.state_code IS NOT DISTINCT FROM nullif(act_state, '')
                AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) THEN
            RAISE EXCEPTION 'irm_act: token % is not a live % token%', act_token, act_role,
                    CASE WHEN act_state <> '' THEN ' of ' || act_state ELSE ' without a State' END
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    PERFORM set_config('irm.role', act_role, true), set_config('irm.state', act_state, true),
        set_config('irm.token', CASE WHEN act_token > 0 THEN act_token::text ELSE '' END, true);
    PERFORM set_config('irm.seal', irm_seal(), true);
END $$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION irm_seal() FROM PUBLIC;

-- Who acts, as every policy, default and trigger reads it: only what
-- irm_act sealed.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION irm_role() RETURNS text LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT CASE WHEN irm_sealed() THEN nullif(current_setting('irm.role', true), '') END $$;
CREATE OR REPLACE FUNCTION irm_state() RETURNS text LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT CASE WHEN irm_sealed() THEN nullif(current_setting('irm.state', true), '') END $$;
CREATE OR REPLACE FUNCTION irm_token() RETURNS bigint LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT CASE WHEN irm_sealed() THEN nullif(current_setting('irm.token', true), '')::bigint END $$;
CREATE OR REPLACE FUNCTION irm_reads_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT irm_role() IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
CREATE OR REPLACE FUNCTION irm_writes_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL RESTRICTED
    AS $$ SELECT irm_role() IN ('SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
-- +goose StatementEnd

-- The policies that still called irm_reads_state or irm_writes_state for
-- every row now ask who acts through sub-selects, evaluated once per
-- statement as 00011 did for the reads: checking the seal for every row
-- of a statistics batch would cost more than the rows. Same rules.
DROP POLICY submissions_insert ON submissions;
DROP POLICY submissions_update ON submissions;
DROP POLICY submissions_delete ON submissions;
CREATE POLICY submissions_insert ON submissions FOR INSERT WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));
CREATE POLICY submissions_update ON submissions FOR UPDATE USING (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())))
WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));
CREATE POLICY submissions_delete ON submissions FOR DELETE USING (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY submission_versions_insert ON submission_versions;
CREATE POLICY submission_versions_insert ON submission_versions FOR INSERT WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY review_comments_insert ON review_comments;
CREATE POLICY review_comments_insert ON review_comments FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND (
        (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
        OR ((SELECT irm_role()) = 'FOCAL_POINT' AND s.state_code = (SELECT irm_state())))));

DROP POLICY observations_insert ON observations;
DROP POLICY observations_update ON observations;
DROP POLICY observations_delete ON observations;
CREATE POLICY observations_insert ON observations FOR INSERT WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));
CREATE POLICY observations_update ON observations FOR UPDATE USING (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())))
WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));
CREATE POLICY observations_delete ON observations FOR DELETE USING (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY observation_revisions_read ON observation_revisions;
DROP POLICY observation_revisions_insert ON observation_revisions;
CREATE POLICY observation_revisions_read ON observation_revisions FOR SELECT USING (
    (SELECT irm_role()) IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));
CREATE POLICY observation_revisions_insert ON observation_revisions FOR INSERT WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

-- FOR ALL: its USING is OR-ed into every read of answer_facts too.
DROP POLICY answer_facts_write ON answer_facts;
CREATE POLICY answer_facts_write ON answer_facts FOR ALL USING (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())))
WITH CHECK (
    (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

-- The view asked who acts for every confidential row; now once.
CREATE OR REPLACE VIEW observations_visible AS
SELECT o.indicator, o.breakdown_key, o.year, o.state_code, o.breakdown,
       CASE WHEN o.status <> 'CONFIDENTIAL' OR (SELECT irm_role()) IN ('SECRETARIAT', 'SYSTEM')
                 OR ((SELECT irm_role()) = 'FOCAL_POINT' AND o.state_code = (SELECT irm_state()))
            THEN o.value END AS value,
       o.status, o.revision, o.reported_at, o.reported_by
FROM observations o
WHERE (SELECT irm_role()) IS NOT NULL;

-- +goose Down
CREATE OR REPLACE VIEW observations_visible AS
SELECT o.indicator, o.breakdown_key, o.year, o.state_code, o.breakdown,
       CASE WHEN o.status <> 'CONFIDENTIAL' OR irm_role() IN ('SECRETARIAT', 'SYSTEM')
                 OR (irm_role() = 'FOCAL_POINT' AND o.state_code = irm_state())
            THEN o.value END AS value,
       o.status, o.revision, o.reported_at, o.reported_by
FROM observations o
WHERE irm_role() IS NOT NULL;

DROP POLICY answer_facts_write ON answer_facts;
CREATE POLICY answer_facts_write ON answer_facts FOR ALL
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
DROP POLICY observation_revisions_read ON observation_revisions;
DROP POLICY observation_revisions_insert ON observation_revisions;
CREATE POLICY observation_revisions_read ON observation_revisions FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY observation_revisions_insert ON observation_revisions FOR INSERT WITH CHECK (irm_writes_state(state_code));
DROP POLICY observations_insert ON observations;
DROP POLICY observations_update ON observations;
DROP POLICY observations_delete ON observations;
CREATE POLICY observations_insert ON observations FOR INSERT WITH CHECK (irm_writes_state(state_code));
CREATE POLICY observations_update ON observations FOR UPDATE
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
CREATE POLICY observations_delete ON observations FOR DELETE USING (irm_writes_state(state_code));
DROP POLICY review_comments_insert ON review_comments;
CREATE POLICY review_comments_insert ON review_comments FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));
DROP POLICY submission_versions_insert ON submission_versions;
CREATE POLICY submission_versions_insert ON submission_versions FOR INSERT WITH CHECK (irm_writes_state(state_code));
DROP POLICY submissions_insert ON submissions;
DROP POLICY submissions_update ON submissions;
DROP POLICY submissions_delete ON submissions;
CREATE POLICY submissions_insert ON submissions FOR INSERT WITH CHECK (irm_writes_state(state_code));
CREATE POLICY submissions_update ON submissions FOR UPDATE
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));
CREATE POLICY submissions_delete ON submissions FOR DELETE USING (irm_writes_state(state_code));

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION irm_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.role', true), '') $$;
CREATE OR REPLACE FUNCTION irm_state() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.state', true), '') $$;
CREATE OR REPLACE FUNCTION irm_token() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('irm.token', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION irm_reads_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT irm_role() IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
CREATE OR REPLACE FUNCTION irm_writes_state(code text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT irm_role() IN ('SECRETARIAT', 'SYSTEM')
              OR (irm_role() = 'FOCAL_POINT' AND code = irm_state()) $$;
-- +goose StatementEnd
DROP FUNCTION irm_act(text, text, bigint), irm_sealed(), irm_seal();
DROP TABLE irm_principal_key;
