-- +goose Up
-- Returning and accepting a submission is the secretariat's (or the
-- service's own background work): row-level security let a focal point's
-- transaction write its own State's submission with any status, so only
-- the Go policy check stood between a focal point and accepting its own
-- answers. The table's owner (migrations, irm seed, a superuser) is
-- trusted as it is everywhere else.

-- +goose StatementBegin
CREATE FUNCTION irm_review_is_the_secretariats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('RETURNED', 'ACCEPTED')
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status)
       AND coalesce(irm_role(), '') NOT IN ('SECRETARIAT', 'SYSTEM')
       AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = TG_RELID AND pg_has_role(current_user, c.relowner, 'USAGE'))
    THEN
        RAISE EXCEPTION 'only the secretariat returns or accepts a submission'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER submissions_review_is_the_secretariats
    BEFORE INSERT OR UPDATE OF status ON submissions
    FOR EACH ROW EXECUTE FUNCTION irm_review_is_the_secretariats();

CREATE TRIGGER submission_versions_review_is_the_secretariats
    BEFORE INSERT ON submission_versions
    FOR EACH ROW EXECUTE FUNCTION irm_review_is_the_secretariats();

-- +goose Down
DROP TRIGGER submission_versions_review_is_the_secretariats ON submission_versions;
DROP TRIGGER submissions_review_is_the_secretariats ON submissions;
DROP FUNCTION irm_review_is_the_secretariats();
