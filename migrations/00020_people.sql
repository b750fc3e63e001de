-- +goose Up
-- The cycle's people (internal/people; issue 15): contacts, their
-- one-time sign-in links, the outbox of notifications and the reminder
-- rules of each cycle.
--
-- contacts: the people the secretariat registers. Each has one token of
-- its own (tokens.contact_id), made with the contact, whose secret is
-- never known to anyone: a sign-in link starts a web session on it, and
-- deactivating the contact revokes it (and so every session on it) with
-- every other token of the person.
CREATE TABLE contacts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    language       text NOT NULL CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    role           text NOT NULL CHECK (role IN ('FOCAL_POINT', 'WORKING_GROUP', 'SECRETARIAT')),
    state_code     text REFERENCES states (code),
    working_groups text[] NOT NULL DEFAULT '{}',
    active         boolean NOT NULL DEFAULT true,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CHECK ((role = 'FOCAL_POINT') = (state_code IS NOT NULL)),
    CHECK (active = (deactivated_at IS NULL))
);
-- One active contact per address, whatever its case.
CREATE UNIQUE INDEX contacts_active_email ON contacts (lower(email)) WHERE active;
CREATE INDEX contacts_state ON contacts (state_code) WHERE active;

ALTER TABLE tokens ADD COLUMN contact_id bigint REFERENCES contacts (id);
CREATE INDEX tokens_contact ON tokens (contact_id) WHERE contact_id IS NOT NULL;

-- The service (not only the owner's "irm token") now makes a contact's own
-- token and revokes the tokens of a deactivated contact. It may make no
-- other token: one it inserts names an active contact of the same role,
-- State and working groups (the owner's command line is not checked).
-- +goose StatementBegin
CREATE FUNCTION irm_contact_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = TG_RELID AND pg_has_role(current_user, c.relowner, 'USAGE'))
       AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.id = NEW.contact_id AND k.active AND k.role = NEW.role
                       AND k.state_code IS NOT DISTINCT FROM NEW.state_code AND k.working_groups = NEW.working_groups)
    THEN
        RAISE EXCEPTION 'the service makes only the token of an active contact, with the contact''s role'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tokens_contact_only BEFORE INSERT ON tokens
    FOR EACH ROW EXECUTE FUNCTION irm_contact_token();

-- sign_in_links: one-time sign-in links; only the SHA-256 of the secret in
-- the link is kept. A link is used at most once, before expires_at.
CREATE TABLE sign_in_links (
    id_sha256  bytea PRIMARY KEY,
    contact_id bigint NOT NULL REFERENCES contacts (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sign_in_links_contact ON sign_in_links (contact_id, created_at DESC);

-- notifications: the outbox. A row is written in the transaction of the
-- change that causes it; key (kind, recipient, occurrence) is unique, so
-- the same message is never queued twice; a worker on the job queue
-- delivers it over SMTP with Message-ID <id@host>. link is the sign-in
-- link of an invitation, kept (with the body) only until it is sent.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key        text NOT NULL UNIQUE,
    kind       text NOT NULL CHECK (kind IN ('INVITATION', 'SUBMITTED', 'RETURNED', 'ACCEPTED', 'PUBLISHED', 'REMINDER')),
    contact_id bigint NOT NULL REFERENCES contacts (id),
    to_address text NOT NULL,
    language   text NOT NULL CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    subject    text NOT NULL,
    body       text NOT NULL,
    link       text,
    status     text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    attempts   integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at    timestamptz
);
CREATE INDEX notifications_newest ON notifications (created_at DESC, id);

-- reminder_rules: per cycle, the days before the deadline on which the
-- focal points of States Parties that have not submitted are reminded,
-- and whether they are reminded weekly after it. A cycle without a row
-- has the defaults (30, 7, 1; weekly).
CREATE TABLE reminder_rules (
    cycle_id              text PRIMARY KEY REFERENCES cycles (id),
    days_before           integer[] NOT NULL,
    weekly_after_deadline boolean NOT NULL,
    updated_by            text NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE reminder_rules;
DROP TABLE notifications;
DROP TABLE sign_in_links;
DROP TRIGGER tokens_contact_only ON tokens;
DROP FUNCTION irm_contact_token();
ALTER TABLE tokens DROP COLUMN contact_id;
DROP TABLE contacts;
