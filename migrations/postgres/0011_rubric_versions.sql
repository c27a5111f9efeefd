-- Rubric versions: every change to a cycle's rubric is a new numbered
-- version. cycles.rubric_json stays the current rubric and
-- cycles.rubric_version its number (0 while a cycle has no rubric yet);
-- a review keeps the version it was started under and is shown and
-- scored against it.

CREATE TABLE rubric_versions (
    id          BIGSERIAL PRIMARY KEY,
    cycle_id    BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    number      BIGINT NOT NULL CHECK (number >= 1),
    rubric_json TEXT NOT NULL,
    -- Who made the change; NULL when the portal did (seeding, a new cycle).
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (cycle_id, number)
);

ALTER TABLE cycles ADD COLUMN rubric_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN rubric_version BIGINT NOT NULL DEFAULT 1;

-- Every rubric already set is version 1, dated with its cycle; every
-- review already started was written under it.
INSERT INTO rubric_versions (cycle_id, number, rubric_json, created_by, created_at)
    SELECT id, 1, rubric_json, NULL, created_at FROM cycles WHERE rubric_json <> '';
UPDATE cycles SET rubric_version = 1 WHERE rubric_json <> '';
