-- +goose Up
-- The translation kit (internal/translation; issue 13): the secretariat
-- downloads a questionnaire's strings for a language as XLIFF and uploads
-- the translated file. The upload replaces that language's labels, option
-- labels and help text as a whole; they live here, beside the file and
-- outside its validation digest, so a translation can be corrected while
-- cycles use the questionnaire. units maps a unit id (a JSON Pointer and
-- "#title", "#option:{value}" or "#description") to its text; a unit not
-- in it reads the English. file_sha256 is the digest of the file uploaded,
-- which replicas compare to know that they must read the units again.
CREATE TABLE translation_uploads (
    questionnaire_id text NOT NULL,
    lang             text NOT NULL CHECK (lang IN ('ar', 'zh', 'fr', 'ru', 'es')),
    units            jsonb NOT NULL CHECK (jsonb_typeof(units) = 'object'),
    file_sha256      text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by      text NOT NULL,
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (questionnaire_id, lang)
);

-- +goose Down
DROP TABLE translation_uploads;
