-- +goose Up

-- The current value of every (State, indicator, year, breakdown).
-- breakdown_key is the canonical "dim=value;dim=value" ("" for the total);
-- breakdown holds the same as a JSON object for reading. The primary key
-- serves a State's uploads and reads; observations_series, with the same
-- columns in another order, serves trends across States. Both name every
-- key column, so a lookup of one key finds one row whichever the planner
-- picks, even when statistics lag behind a bulk load.
CREATE TABLE observations (
    indicator     text NOT NULL,
    breakdown_key text NOT NULL,
    year          integer NOT NULL,
    state_code    text NOT NULL, -- checked by the service; no foreign key, whose
                                 -- per-row check would halve bulk-load speed
    breakdown     jsonb NOT NULL,
    value         double precision,
    status        text NOT NULL CHECK (status IN ('REPORTED', 'ESTIMATED', 'NOT_AVAILABLE', 'CONFIDENTIAL')),
    revision      integer NOT NULL,
    reported_at   timestamptz NOT NULL,
    reported_by   text NOT NULL,
    PRIMARY KEY (state_code, indicator, breakdown_key, year)
);
CREATE INDEX observations_series ON observations (indicator, breakdown_key, year, state_code);

-- Every superseded value, kept when a State corrects it.
CREATE TABLE observation_revisions (
    indicator     text NOT NULL,
    breakdown_key text NOT NULL,
    year          integer NOT NULL,
    state_code    text NOT NULL,
    breakdown     jsonb NOT NULL,
    value         double precision,
    status        text NOT NULL,
    revision      integer NOT NULL,
    reported_at   timestamptz NOT NULL,
    reported_by   text NOT NULL,
    superseded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (indicator, breakdown_key, year, state_code, revision)
);

-- +goose Down
DROP TABLE observation_revisions, observations;
