-- +goose Up

-- The language a report is written in (ar zh en fr ru es), on schedules
-- and on each run, and a run's warnings: what the reader should know but
-- did not fail the render, such as characters no embedded font has.
ALTER TABLE report_schedules
    ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es'));

ALTER TABLE report_runs
    ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    ADD COLUMN warnings text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE report_runs DROP COLUMN warnings, DROP COLUMN language;
ALTER TABLE report_schedules DROP COLUMN language;
