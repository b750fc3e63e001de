-- +goose Up

-- Observations are read in the order (State, year, breakdown) of one
-- indicator, a page at a time: this index serves that ORDER BY and the
-- keyset condition of the next page, so a page reads as many entries as
-- it returns. Neither the primary key (State, indicator, ...) nor
-- observations_series (indicator, breakdown, year, State) gives that order.
CREATE INDEX observations_reading ON observations (indicator, state_code, year, breakdown_key);

-- The first answer to a mutation sent with an Idempotency-Key header,
-- per token, kept for a day: the same key and request replay it, the
-- same key with another request is a CONFLICT. In PostgreSQL, not in a
-- replica, so any replica replays what another answered.
CREATE TABLE idempotency_keys (
    token_id     bigint NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer,     -- NULL while the first request runs
    response     bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP INDEX observations_reading;
