-- The cycle dashboard counts reviews overdue (assignments past their due
-- date without a submitted review) and, for review progress, how many of
-- them have a draft. Each assignment keeps where its review stands
-- (`review`: none, draft or submitted), set by triggers on `reviews` in the
-- same statement as every change of a review (whatever code makes it),
-- and a partial index holds only the open assignments by cycle, review
-- state and due date, so each count reads the overdue ones and nothing
-- else, from the index alone.

ALTER TABLE assignments ADD COLUMN review TEXT NOT NULL DEFAULT 'none'
    CHECK (review IN ('none', 'draft', 'submitted'));
UPDATE assignments SET review = (SELECT r.state FROM reviews r WHERE r.assignment_id = assignments.id)
    WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.assignment_id = assignments.id);
CREATE INDEX assignments_open_due ON assignments (cycle_id, review, due_at) WHERE review <> 'submitted';

CREATE TRIGGER reviews_state_after_insert AFTER INSERT ON reviews
BEGIN
    UPDATE assignments SET review = NEW.state WHERE id = NEW.assignment_id;
END;

CREATE TRIGGER reviews_state_after_update AFTER UPDATE OF state, assignment_id ON reviews
BEGIN
    UPDATE assignments SET review = 'none' WHERE id = OLD.assignment_id;
    UPDATE assignments SET review = NEW.state WHERE id = NEW.assignment_id;
END;

CREATE TRIGGER reviews_state_after_delete AFTER DELETE ON reviews
BEGIN
    UPDATE assignments SET review = 'none' WHERE id = OLD.assignment_id;
END;
