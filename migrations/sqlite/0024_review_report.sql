-- The reviews report (one row per submitted review and criterion) reads a
-- cycle's submitted reviews by application, a batch at a time: this index
-- holds only submitted reviews, in that order.

CREATE INDEX reviews_report ON reviews (cycle_id, application_id, id) WHERE state = 'submitted';
