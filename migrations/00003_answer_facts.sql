-- +goose Up

-- The answers projection that aggregates read, owned by internal/aggregate:
-- one row per answered question of the latest SUBMITTED version of each
-- submission, written in the submit's transaction (drafts never count, so
-- saving one costs nothing here). Whether a row counts is its submission's
-- current status (SUBMITTED or ACCEPTED). The key puts one question of one
-- cycle in one index range, whatever the history stored.
CREATE TABLE answer_facts (
    cycle_id      text NOT NULL,
    path          text NOT NULL,
    submission_id uuid NOT NULL REFERENCES submissions (id),
    state_code    text NOT NULL,
    options       text[],           -- choices and booleans ("true"/"false"): what was chosen
    num           double precision, -- numbers and integers: the value; lists: the item count
    PRIMARY KEY (cycle_id, path, submission_id)
);
CREATE INDEX answer_facts_submission ON answer_facts (submission_id);

-- Replaced by answer_facts; it held every saved draft's answers too.
DROP TABLE submission_answers;

-- +goose Down
CREATE TABLE submission_answers (
    submission_id uuid NOT NULL REFERENCES submissions (id),
    path          text NOT NULL,
    value         jsonb NOT NULL,
    PRIMARY KEY (submission_id, path)
);
CREATE INDEX submission_answers_path ON submission_answers (path);
DROP TABLE answer_facts;
