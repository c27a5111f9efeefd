-- The reviewer's desk: each assignment's lane, kept in the transaction
-- that changes the review or the application's stage, so that the desk
-- counts and pages a reviewer's to-do and done lists from one index
-- without reading every assignment's review and application.
--   to_do: no submitted review yet; done: the review is submitted;
--   off:   the application was withdrawn or found ineligible.

ALTER TABLE assignments ADD COLUMN lane TEXT NOT NULL DEFAULT 'to_do'
    CHECK (lane IN ('to_do', 'done', 'off'));
UPDATE assignments SET lane = 'done' WHERE EXISTS
    (SELECT 1 FROM reviews r WHERE r.assignment_id = assignments.id AND r.state = 'submitted');
UPDATE assignments SET lane = 'off' WHERE EXISTS
    (SELECT 1 FROM applications a WHERE a.id = assignments.application_id
     AND a.stage IN ('withdrawn', 'ineligible'));
CREATE INDEX assignments_desk ON assignments (reviewer_id, lane, due_at, application_id, cycle_id);
CREATE INDEX conflicts_reviewer_source ON conflicts (reviewer_id, source, created_at);
-- The applications a reviewer is a referee of never show on their desk.
CREATE INDEX referee_requests_email_lower ON referee_requests (LOWER(email));
