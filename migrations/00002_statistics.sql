-- +goose Up

-- The current value of every (State, indicator, year, breakdown). The key's
-- order serves both the batch upsert and trend reads (indicator first).
-- breakdown_key is the canonical "dim=value;dim=value" ("" for the total);
-- breakdown holds the same as a JSON object for reading.
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
    PRIMARY KEY (indicator, breakdown_key, year, state_code)
);
CREATE INDEX observations_state ON observations (state_code, indicator);

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
