-- +goose Up

-- Reference data: the UN Member States. Rows are kept in step with the
-- embedded reference file at every start; `party` belongs to the secretariat.
CREATE TABLE states (
    code           text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    name           text NOT NULL,
    regional_group text CHECK (regional_group IN ('AFRICAN', 'ASIA_PACIFIC', 'EASTERN_EUROPEAN',
                                                  'LATIN_AMERICAN_CARIBBEAN', 'WESTERN_EUROPEAN_OTHER')),
    developing     boolean NOT NULL DEFAULT false,
    party          boolean NOT NULL DEFAULT false
);

-- Bearer tokens: only the SHA-256 of the secret is kept.
CREATE TABLE tokens (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL,
    role           text NOT NULL CHECK (role IN ('FOCAL_POINT', 'WORKING_GROUP', 'SECRETARIAT')),
    state_code     text REFERENCES states (code),
    working_groups text[] NOT NULL DEFAULT '{}',
    secret_sha256  bytea NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    CHECK ((role = 'FOCAL_POINT') = (state_code IS NOT NULL))
);

-- The digest of each questionnaire file, recorded when a cycle first uses it.
CREATE TABLE questionnaire_digests (
    questionnaire_id text PRIMARY KEY,
    sha256           text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cycles (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    questionnaire_id text NOT NULL REFERENCES questionnaire_digests (questionnaire_id),
    opens_on         date NOT NULL,
    closes_on        date NOT NULL CHECK (closes_on >= opens_on),
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE submissions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cycle_id           text NOT NULL REFERENCES cycles (id),
    state_code         text NOT NULL REFERENCES states (code),
    status             text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'ACCEPTED')),
    version            integer NOT NULL CHECK (version >= 1),
    answers            jsonb NOT NULL,
    first_submitted_at timestamptz,
    submitted_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, state_code)
);

-- Every version ever saved, oldest first.
CREATE TABLE submission_versions (
    submission_id uuid NOT NULL REFERENCES submissions (id),
    version       integer NOT NULL,
    status        text NOT NULL,
    answers       jsonb NOT NULL,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    saved_by      text NOT NULL,
    PRIMARY KEY (submission_id, version)
);

-- The answers projection used by aggregates: one row per answered question
-- of the submission's current answers. Aggregates join it with submissions
-- whose status is SUBMITTED or ACCEPTED, whose current answers are then the
-- latest submitted version's.
CREATE TABLE submission_answers (
    submission_id uuid NOT NULL REFERENCES submissions (id),
    path          text NOT NULL,
    value         jsonb NOT NULL,
    PRIMARY KEY (submission_id, path)
);
CREATE INDEX submission_answers_path ON submission_answers (path);

-- seq orders comments as they were written (several share a transaction,
-- and so a created_at).
CREATE TABLE review_comments (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    submission_id uuid NOT NULL REFERENCES submissions (id),
    version       integer NOT NULL,
    path          text,
    author        text NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_comments_submission ON review_comments (submission_id, seq);

-- Append-only: nothing updates or deletes these rows.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    subject    text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_subject ON audit_events (subject, at);

-- +goose Down
DROP TABLE audit_events, review_comments, submission_answers, submission_versions,
    submissions, cycles, questionnaire_digests, tokens, states;
