-- +goose Up

-- Trends read, for a few indicators and one breakdown, every State's
-- value and status in every year: 1,930 rows per indicator at 193 States
-- and ten years, which in a heap filled State by State sit on as many
-- different pages (a working-group summary with 14 indicators read 27,000
-- pages, most not in shared buffers). The same index, carrying value and
-- status, answers them from a few index pages by an index-only scan.
CREATE INDEX observations_series_covering ON observations (indicator, breakdown_key, year, state_code) INCLUDE (value, status);
DROP INDEX observations_series;
ALTER INDEX observations_series_covering RENAME TO observations_series;

-- +goose Down
CREATE INDEX observations_series_plain ON observations (indicator, breakdown_key, year, state_code);
DROP INDEX observations_series;
ALTER INDEX observations_series_plain RENAME TO observations_series;
