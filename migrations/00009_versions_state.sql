-- +goose Up

-- A version row carries its submission's State, so that row-level
-- security checks it on the row itself: the workflow writes the
-- submission and its version row in one statement, where a policy's
-- subquery on submissions cannot yet see a submission created by it.
ALTER TABLE submission_versions ADD COLUMN state_code text;
UPDATE submission_versions v SET state_code = s.state_code FROM submissions s WHERE s.id = v.submission_id;
ALTER TABLE submission_versions ALTER COLUMN state_code SET NOT NULL;
-- and it must be that submission's State: no version passes for another's.
ALTER TABLE submissions ADD CONSTRAINT submissions_id_state UNIQUE (id, state_code);
ALTER TABLE submission_versions ADD CONSTRAINT submission_versions_state
    FOREIGN KEY (submission_id, state_code) REFERENCES submissions (id, state_code);

DROP POLICY submission_versions_read ON submission_versions;
DROP POLICY submission_versions_insert ON submission_versions;
CREATE POLICY submission_versions_read ON submission_versions FOR SELECT USING (irm_reads_state(state_code));
CREATE POLICY submission_versions_insert ON submission_versions FOR INSERT WITH CHECK (irm_writes_state(state_code));

-- +goose Down
DROP POLICY submission_versions_read ON submission_versions;
DROP POLICY submission_versions_insert ON submission_versions;
CREATE POLICY submission_versions_read ON submission_versions FOR SELECT
    USING (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id));
CREATE POLICY submission_versions_insert ON submission_versions FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM submissions s WHERE s.id = submission_id AND irm_writes_state(s.state_code)));
ALTER TABLE submission_versions DROP CONSTRAINT submission_versions_state;
ALTER TABLE submissions DROP CONSTRAINT submissions_id_state;
ALTER TABLE submission_versions DROP COLUMN state_code;
