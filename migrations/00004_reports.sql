-- +goose Up

-- Report schedules: a cron spec in an IANA zone. next_run_at is the next
-- nominal tick not yet claimed; it only moves forward. A deleted schedule
-- keeps its row (its runs still name it) but never fires again.
CREATE TABLE report_schedules (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('CYCLE_SYNTHESIS', 'COUNTRY_PROFILE', 'TECHNICAL_ASSISTANCE')),
    cycle_id      text NOT NULL REFERENCES cycles (id),
    working_group text,
    state_code    text REFERENCES states (code),
    cron          text NOT NULL,
    timezone      text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    next_run_at   timestamptz NOT NULL,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    CHECK ((kind = 'COUNTRY_PROFILE') = (state_code IS NOT NULL))
);

-- The schedulers of every replica poll for due schedules.
CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE active AND deleted_at IS NULL;

-- One row per run, by hand (schedule_id NULL) or by a schedule's tick.
-- UNIQUE (schedule_id, scheduled_for) is the exactly-once claim of a
-- tick: of all the replicas that insert it, one wins.
CREATE TABLE report_runs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('CYCLE_SYNTHESIS', 'COUNTRY_PROFILE', 'TECHNICAL_ASSISTANCE')),
    cycle_id      text NOT NULL REFERENCES cycles (id),
    working_group text,
    state_code    text REFERENCES states (code),
    schedule_id   uuid REFERENCES report_schedules (id),
    scheduled_for timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    attempts      integer NOT NULL DEFAULT 0,
    started_at    timestamptz,
    finished_at   timestamptz,
    pages         integer,
    bytes         integer,
    sha256        text,
    fingerprint   text,
    file_name     text,
    error         text,
    published     boolean NOT NULL DEFAULT false,
    published_at  timestamptz,
    published_by  text,
    requested_by  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (schedule_id, scheduled_for),
    CHECK ((kind = 'COUNTRY_PROFILE') = (state_code IS NOT NULL)),
    CHECK (NOT published OR status = 'SUCCEEDED'),
    CHECK ((status = 'SUCCEEDED') = (sha256 IS NOT NULL))
);

CREATE INDEX report_runs_listing ON report_runs (created_at DESC, id);

-- The PDF bytes, apart from the run rows so that listings never read them.
CREATE TABLE report_files (
    run_id uuid PRIMARY KEY REFERENCES report_runs (id) ON DELETE CASCADE,
    pdf    bytea NOT NULL
);

-- +goose Down
DROP TABLE report_files, report_runs, report_schedules;
