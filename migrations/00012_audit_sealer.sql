-- +goose Up

-- The audit chain is sealed after commit. Until now (00005) every append
-- locked the chain's single head row from its insert to the end of its
-- transaction, the commit's WAL flush included, so every transaction that
-- recorded an event (every write of the service) committed one after
-- another. Now an event is written with the change it describes and queued
-- in audit_pending, in the same transaction and without a lock that other
-- writers wait for; audit_seal(), which every replica calls a few times a
-- second (internal/audit.RunSealer), chains the committed events in its
-- own transaction. Only sealers meet at the head, and a sealer that finds
-- it taken leaves at once. The hash is the same as before: audit_canonical
-- covers the same fields, so chains sealed before verify as they did.

-- No event is written while the chain moves out of audit_events.
LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;

-- The chain: each event's position, the previous event's hash and its
-- own. Append-only like audit_events (triggers below).
CREATE TABLE audit_chain (
    chain_seq bigint PRIMARY KEY,
    event_id  bigint NOT NULL UNIQUE REFERENCES audit_events (id),
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL
);
INSERT INTO audit_chain (chain_seq, event_id, prev_hash, hash)
    SELECT chain_seq, id, prev_hash, hash FROM audit_events;

-- The events written but not chained yet, so that a sealer reads only
-- them. No foreign key: the row is queued by the event's BEFORE INSERT
-- trigger, before the event itself is stored; Verify reports an event
-- that is neither chained nor queued.
CREATE TABLE audit_pending (
    event_id bigint PRIMARY KEY
);

-- Only the owner's functions write these two tables, whatever default
-- privileges gave the app role as they were created ("irm migrate
-- --app-role" gives it nothing on them either: internal/postgres's
-- appGrants).
-- +goose StatementBegin
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid IN ('audit_chain'::regclass, 'audit_pending'::regclass) AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE ALL ON audit_chain, audit_pending FROM %s', grantee);
    END LOOP;
END $$;
-- +goose StatementEnd

DROP TRIGGER audit_events_chain ON audit_events;
DROP FUNCTION audit_chain(), audit_canonical(audit_events);
ALTER TABLE audit_events DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN hash;

-- +goose StatementBegin
-- As in 00005, with the chain position given beside the event.
CREATE FUNCTION audit_canonical(seq bigint, e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '~' ELSE octet_length(f) || ':' || f END, '' ORDER BY i)
    FROM unnest(ARRAY[
        seq::text, e.id::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor, e.actor_token::text, e.actor_role, e.action, e.subject, e.detail::text
    ]) WITH ORDINALITY AS t(f, i)
$$;

-- Who acted comes from the transaction's principal, not from the row; the
-- event waits in audit_pending for the sealer. Runs as the owner, the
-- only one who may write audit_pending.
CREATE FUNCTION audit_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
    NEW.actor_token := irm_token();
    NEW.actor_role := coalesce(irm_role(), 'db:' || session_user);
    NEW.at := now();
    INSERT INTO audit_pending (event_id) VALUES (NEW.id);
    RETURN NEW;
END $$;

-- Chains the committed events waiting in audit_pending, at most
-- max_events of them, in the order of their ids, after the head; returns
-- how many. Sealers take the head's row lock in turn: one that finds it
-- taken returns 0 at once rather than queue (every replica runs one), and
-- one that gets it sees, in its next statements, the events the previous
-- sealer chained as chained. The caller's transaction holds the head
-- until it ends: call it in a transaction of its own.
CREATE FUNCTION audit_seal(max_events integer DEFAULT 10000) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head;
    e audit_events;
    sealed bigint[] := '{}';
BEGIN
    -- Nothing to do costs a read: no row lock, no transaction id, no WAL.
    IF NOT EXISTS (SELECT 1 FROM audit_pending) THEN
        RETURN 0;
    END IF;
    SELECT * INTO head FROM audit_chain_head FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOR e IN SELECT a.* FROM audit_pending p JOIN audit_events a ON a.id = p.event_id
        ORDER BY p.event_id LIMIT max_events
    LOOP
        head.chain_seq := head.chain_seq + 1;
        INSERT INTO audit_chain (chain_seq, event_id, prev_hash, hash)
            VALUES (head.chain_seq, e.id, head.hash,
                    sha256(head.hash || convert_to(audit_canonical(head.chain_seq, e), 'UTF8')))
            RETURNING hash INTO head.hash;
        sealed := sealed || e.id;
    END LOOP;
    IF cardinality(sealed) = 0 THEN
        RETURN 0;
    END IF;
    DELETE FROM audit_pending WHERE event_id = ANY (sealed);
    UPDATE audit_chain_head SET chain_seq = head.chain_seq, hash = head.hash;
    RETURN cardinality(sealed);
END $$;

CREATE FUNCTION audit_chain_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_chain is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_stamp BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_stamp();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse();

-- +goose Down

-- The events waiting are chained first, then the chain goes back into
-- audit_events and its appends lock the head again. No event is written
-- meanwhile ("irm migrate" never goes down: this is for tests and for a
-- rollback by hand, with the service stopped).
LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;
-- +goose StatementBegin
DO $$
BEGIN
    WHILE audit_seal() > 0 LOOP
    END LOOP;
END $$;
-- +goose StatementEnd

ALTER TABLE audit_events ADD COLUMN chain_seq bigint UNIQUE, ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;
ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
UPDATE audit_events e SET chain_seq = c.chain_seq, prev_hash = c.prev_hash, hash = c.hash
    FROM audit_chain c WHERE c.event_id = e.id;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
ALTER TABLE audit_events ALTER COLUMN chain_seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

DROP TRIGGER audit_events_stamp ON audit_events;
DROP TABLE audit_pending, audit_chain;
DROP FUNCTION audit_chain_refuse(), audit_seal(integer), audit_stamp(), audit_canonical(bigint, audit_events);

-- +goose StatementBegin
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
-- +goose StatementEnd

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
