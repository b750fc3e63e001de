-- +goose Up

-- What a report run met, kept as catalogue messages rather than English
-- sentences (issue 13), so that each reader sees them in their language:
-- error_message is the failure's {"key": ..., "params": {...}}, and
-- warning_messages the warnings', an array of the same shape, in the
-- order of warnings. The key is the English sentence of
-- internal/i18n/locales/errors with its named placeholders; params are
-- strings. One column each, of one shape, rather than key and params
-- apart: the two are written and read together, and a warning needs the
-- pair anyway.
--
-- error and warnings keep the English text (logs, tools, and the rows
-- rendered before this migration, which have no messages: NULL here, and
-- the pages and the API show their stored text).
ALTER TABLE report_runs
    ADD COLUMN error_message jsonb CHECK (error_message IS NULL OR (jsonb_typeof(error_message) = 'object'
        AND jsonb_typeof(error_message -> 'key') = 'string')),
    ADD COLUMN warning_messages jsonb CHECK (warning_messages IS NULL OR jsonb_typeof(warning_messages) = 'array'),
    -- a message is the same failure as the English error: never one alone
    ADD CHECK (error_message IS NULL OR error IS NOT NULL);

-- +goose Down
ALTER TABLE report_runs DROP COLUMN warning_messages, DROP COLUMN error_message;
