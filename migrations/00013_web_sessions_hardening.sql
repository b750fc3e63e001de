-- +goose Up
-- Web sessions, second pass (internal/web; issue 16).
--
-- web_key holds the web application's HMAC key. The pre-sign-in cookie is
-- signed with it, and each session's CSRF token is derived from the
-- session's id with it, so that nothing secret about a session is stored
-- and every replica accepts what another issued. It is made here, once,
-- at migrate time, from PostgreSQL's strong random source (two version-4
-- UUIDs: 244 random bits); the service only reads it, at start. To
-- rotate it, as the owner, then restart the replicas (forms open at that
-- moment must be reloaded; sessions go on):
--   UPDATE web_key SET key = uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), created_at = now();
CREATE TABLE web_key (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    key        bytea NOT NULL CHECK (length(key) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO web_key (key) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- A session's CSRF token is HMAC(key, session id) now: the column that
-- kept it in clear goes.
ALTER TABLE web_sessions DROP COLUMN csrf_token;

-- Sessions are capped per token, the oldest ended when a new one starts.
CREATE INDEX web_sessions_token ON web_sessions (token_id, created_at);

-- +goose Down
DROP INDEX web_sessions_token;
-- The code before kept each session's CSRF token: its sessions end.
DELETE FROM web_sessions;
ALTER TABLE web_sessions ADD COLUMN csrf_token text NOT NULL;
DROP TABLE web_key;
