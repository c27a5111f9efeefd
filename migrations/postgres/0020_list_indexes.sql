-- Reviewer progress counts each reviewer's overdue reviews: the partial
-- index of open assignments (0019) now also holds the reviewer, so that
-- count reads the overdue assignments of the cycle from the index alone,
-- as the dashboard's counts do, instead of every assignment of the cycle.
DROP INDEX assignments_open_due;
CREATE INDEX assignments_open_due ON assignments (cycle_id, review, due_at, reviewer_id) WHERE review <> 'submitted';

-- The applications list's default order (by submission) reads a page deep
-- in the list (`?page=50`) by skipping index entries: with the stage and
-- the applicant in the index it skips them without reading each row.
DROP INDEX applications_cycle_submitted;
CREATE INDEX applications_cycle_submitted ON applications (cycle_id, submitted_at, stage, applicant_id);
