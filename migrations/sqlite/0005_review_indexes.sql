-- Indexes that let the manager's pages read only what they show: each
-- reviewer's totals and the cycle's scale from the index alone, the
-- assignments of a cycle by application, and the list's page of a cycle
-- without visiting every application row.

DROP INDEX reviews_cycle_reviewer;
CREATE INDEX reviews_cycle_state_reviewer ON reviews (cycle_id, state, reviewer_id, score_total);
CREATE INDEX reviews_cycle_state_application ON reviews (cycle_id, state, application_id, score_total);
DROP INDEX assignments_cycle;
CREATE INDEX assignments_cycle_reviewer ON assignments (cycle_id, reviewer_id, due_at);
CREATE INDEX assignments_cycle_application ON assignments (cycle_id, application_id, due_at);
CREATE INDEX applications_cycle_list ON applications (cycle_id, stage, submitted_at, applicant_id);
