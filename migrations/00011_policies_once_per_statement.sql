-- +goose Up

-- The read policies ask who acts through sub-selects, which PostgreSQL
-- evaluates once per statement (an InitPlan), instead of calling
-- current_setting for every row: aggregates and trends read tens of
-- thousands of rows. The rule is the same as irm_reads_state's.
DROP POLICY submissions_read ON submissions;
CREATE POLICY submissions_read ON submissions FOR SELECT USING (
    (SELECT irm_role()) IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY submission_versions_read ON submission_versions;
CREATE POLICY submission_versions_read ON submission_versions FOR SELECT USING (
    (SELECT irm_role()) IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY answer_facts_read ON answer_facts;
CREATE POLICY answer_facts_read ON answer_facts FOR SELECT USING (
    (SELECT irm_role()) IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state())));

DROP POLICY observations_read ON observations;
CREATE POLICY observations_read ON observations FOR SELECT USING (
    (SELECT irm_role()) IN ('WORKING_GROUP', 'SECRETARIAT', 'SYSTEM')
    OR ((SELECT irm_role()) = 'FOCAL_POINT' AND state_code = (SELECT irm_state()))
    OR ((SELECT irm_role()) IS NOT NULL AND status <> 'CONFIDENTIAL'));

-- +goose Down
DROP POLICY submissions_read ON submissions;
CREATE POLICY submissions_read ON submissions FOR SELECT USING (irm_reads_state(state_code));
DROP POLICY submission_versions_read ON submission_versions;
CREATE POLICY submission_versions_read ON submission_versions FOR SELECT USING (irm_reads_state(state_code));
DROP POLICY answer_facts_read ON answer_facts;
CREATE POLICY answer_facts_read ON answer_facts FOR SELECT USING (irm_reads_state(state_code));
DROP POLICY observations_read ON observations;
CREATE POLICY observations_read ON observations FOR SELECT
    USING (irm_reads_state(state_code) OR (irm_role() IS NOT NULL AND status <> 'CONFIDENTIAL'));
