-- +goose Up

-- The chain's head, for the service to publish now and then outside the
-- database (internal/audit.HeadPublisher: a log line, a file), so that
-- "irm audit verify --head" can tell when the newest events were removed
-- with their chain rows and the head rewound: the chain alone cannot. The
-- app role may not read audit_chain_head itself; this gives it the head's
-- position and hash, nothing more.
-- +goose StatementBegin
CREATE FUNCTION audit_head(OUT chain_seq bigint, OUT hash bytea) LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS $$ SELECT h.chain_seq, h.hash FROM audit_chain_head h $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit_head();
