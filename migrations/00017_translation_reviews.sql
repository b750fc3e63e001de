-- +goose Up
-- Questionnaire languages (internal/translation; issue 13).
--
-- translation_reviews: the secretariat marks a questionnaire's translation
-- into one of the six languages reviewed (or not). A review holds for the
-- labels it saw: labels_sha256 is the digest of every label of the
-- questionnaire in that language when it was reviewed, and the service
-- shows the translation as reviewed only while the file still has those
-- labels. Questionnaires are files, not rows, so questionnaire_id names
-- a file (without ".json").
CREATE TABLE translation_reviews (
    questionnaire_id text NOT NULL,
    lang             text NOT NULL CHECK (lang IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    reviewed         boolean NOT NULL,
    labels_sha256    text NOT NULL,
    reviewed_by      text NOT NULL,
    reviewed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (questionnaire_id, lang)
);

-- A questionnaire that cycles use may change in what a person reads
-- (titles, descriptions, x-labels, x-choice-labels) and in nothing else.
-- validation_sha256 is the digest of the file without those annotations
-- (questionnaire.ValidationSHA256); the service records it beside the
-- file's digest and, at start, accepts a file whose bytes changed only
-- if this digest is still the same. Rows recorded before it get it at the
-- next start whose file is still the recorded one; the one file known to
-- be in use before, implementation-v1 as shipped until its translations
-- were completed, gets it here (the test in internal/questionnaire checks
-- that the value is the digest of the file now shipped).
ALTER TABLE questionnaire_digests ADD COLUMN validation_sha256 text;
UPDATE questionnaire_digests
   SET validation_sha256 = '9cb649a0c61d7f27bea3ad643205833160854c1ddf89e901b0ef01a8713687f1'
 WHERE questionnaire_id = 'implementation-v1'
   AND sha256 = '7be57eee2b449df78bec99edc04c4598d20cb5917cc7b9238737da23444cb2ed';

-- +goose Down
ALTER TABLE questionnaire_digests DROP COLUMN validation_sha256;
DROP TABLE translation_reviews;
