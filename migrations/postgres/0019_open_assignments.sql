-- The cycle dashboard counts reviews overdue (assignments past their due
-- date without a submitted review) and, for review progress, how many of
-- them have a draft. Each assignment keeps where its review stands
-- (`review`: none, draft or submitted), set by a trigger on `reviews` in
-- the same statement as every change of a review (whatever code makes
-- it), and a partial index holds only the open assignments by cycle,
-- review state and due date, so each count reads the overdue ones and
-- nothing else.

ALTER TABLE assignments ADD COLUMN review TEXT NOT NULL DEFAULT 'none'
    CHECK (review IN ('none', 'draft', 'submitted'));
UPDATE assignments SET review = r.state FROM reviews r WHERE r.assignment_id = assignments.id;
CREATE INDEX assignments_open_due ON assignments (cycle_id, review, due_at) WHERE review <> 'submitted';

CREATE FUNCTION assignments_keep_review_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE assignments SET review = 'none' WHERE id = OLD.assignment_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE assignments SET review = NEW.state WHERE id = NEW.assignment_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reviews_keep_assignment_state AFTER INSERT OR DELETE OR UPDATE OF state, assignment_id ON reviews
    FOR EACH ROW EXECUTE FUNCTION assignments_keep_review_state();
