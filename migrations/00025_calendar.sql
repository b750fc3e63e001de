-- +goose Up
-- The cycle's calendar and its conversations (internal/submission; issue 15).
--
-- extensions: the secretariat grants one State a later deadline in a
-- cycle, with a reason; the State's own deadline is the extension's
-- closes_on, else the cycle's. Only the secretariat (or the service)
-- writes them; a focal point reads its own State's.
CREATE TABLE extensions (
    cycle_id   text NOT NULL REFERENCES cycles (id),
    state_code text NOT NULL REFERENCES states (code),
    closes_on  date NOT NULL,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, state_code)
);
ALTER TABLE extensions ENABLE ROW LEVEL SECURITY;
CREATE POLICY extensions_read ON extensions FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY extensions_write ON extensions FOR ALL
    USING (irm_role() IN ('SECRETARIAT', 'SYSTEM')) WITH CHECK (irm_role() IN ('SECRETARIAT', 'SYSTEM'));

-- consents: whether a State lets its country profile for a cycle be
-- published; no row means no consent. A focal point records its own
-- State's; the secretariat may record any.
CREATE TABLE consents (
    cycle_id        text NOT NULL REFERENCES cycles (id),
    state_code      text NOT NULL REFERENCES states (code),
    publish_profile boolean NOT NULL,
    updated_by      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, state_code)
);
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
CREATE POLICY consents_read ON consents FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY consents_write ON consents FOR ALL
    USING (irm_writes_state(state_code)) WITH CHECK (irm_writes_state(state_code));

-- Threads: a comment answers the first comment of a thread (reply_to is
-- always a thread's first comment, never a reply); a thread's first
-- comment is resolved or reopened, a reply never is.
ALTER TABLE review_comments
    ADD COLUMN reply_to    uuid REFERENCES review_comments (id),
    ADD COLUMN resolved    boolean NOT NULL DEFAULT false,
    ADD COLUMN resolved_by text,
    ADD COLUMN resolved_at timestamptz,
    ADD CONSTRAINT review_comments_reply_unresolved CHECK (reply_to IS NULL OR NOT resolved);
CREATE INDEX review_comments_reply_to ON review_comments (reply_to) WHERE reply_to IS NOT NULL;
CREATE POLICY review_comments_resolve ON review_comments FOR UPDATE
    USING (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)))
    WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));

-- +goose Down
DROP POLICY review_comments_resolve ON review_comments;
DROP INDEX review_comments_reply_to;
ALTER TABLE review_comments DROP CONSTRAINT review_comments_reply_unresolved,
    DROP COLUMN resolved_at, DROP COLUMN resolved_by, DROP COLUMN resolved, DROP COLUMN reply_to;
DROP TABLE consents;
DROP TABLE extensions;
