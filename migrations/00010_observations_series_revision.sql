-- +goose Up

-- Trends and a report's fingerprint read the yearly totals of indicators
-- across States: with the revision in the series index too, the
-- fingerprint's read of every (indicator, year, State) key and revision is
-- an index-only scan like the trends', not a visit of scattered heap pages.
CREATE INDEX observations_series_revision ON observations (indicator, breakdown_key, year, state_code) INCLUDE (value, status, revision);
DROP INDEX observations_series;
ALTER INDEX observations_series_revision RENAME TO observations_series;

-- +goose Down
CREATE INDEX observations_series_covering ON observations (indicator, breakdown_key, year, state_code) INCLUDE (value, status);
DROP INDEX observations_series;
ALTER INDEX observations_series_covering RENAME TO observations_series;
