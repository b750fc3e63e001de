-- +goose Up
-- Web sessions (internal/web): a signed-in browser holds a random session
-- id in an HttpOnly cookie; only its SHA-256 is kept here, with the token
-- the user signed in with (never the token itself) and the CSRF token its
-- pages carry. Ending a session deletes its row.
CREATE TABLE web_sessions (
    id_sha256  bytea PRIMARY KEY,
    token_id   bigint NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- +goose Down
DROP TABLE web_sessions;
