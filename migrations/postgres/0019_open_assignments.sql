-- The cycle dashboard counts reviews overdue: assignments past their due
-- date without a submitted review. Each assignment says whether its review
-- is submitted, kept so by a trigger on `reviews` in the same statement as
-- every change of a review's state (whatever code makes it), and a partial
-- index holds only the open assignments by cycle and due date, so the
-- count reads the overdue ones and nothing else.

ALTER TABLE assignments ADD COLUMN submitted BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE assignments SET submitted = TRUE
    WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.assignment_id = assignments.id AND r.state = 'submitted');
CREATE INDEX assignments_open_due ON assignments (cycle_id, submitted, due_at) WHERE submitted = FALSE;

CREATE FUNCTION assignments_mark_submitted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE assignments SET submitted = FALSE WHERE id = OLD.assignment_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE assignments SET submitted = (NEW.state = 'submitted') WHERE id = NEW.assignment_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reviews_mark_submitted AFTER INSERT OR DELETE OR UPDATE OF state, assignment_id ON reviews
    FOR EACH ROW EXECUTE FUNCTION assignments_mark_submitted();
