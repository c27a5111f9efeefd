-- Review: cycle settings and rubric, screening, reviewer assignments,
-- conflicts and reviews.

ALTER TABLE cycles ADD COLUMN reviewers_per_application INTEGER NOT NULL DEFAULT 3;
ALTER TABLE cycles ADD COLUMN reviewer_cap INTEGER;
ALTER TABLE cycles ADD COLUMN show_other_reviews TEXT NOT NULL DEFAULT 'after_submit'
    CHECK (show_other_reviews IN ('never', 'after_submit', 'always'));
ALTER TABLE cycles ADD COLUMN disagreement_threshold REAL NOT NULL DEFAULT 15;
-- Filled from the program's default rubric at start when empty.
ALTER TABLE cycles ADD COLUMN rubric_json TEXT NOT NULL DEFAULT '';

-- The institution the applicant gave, kept at submission for search and
-- conflict detection.
ALTER TABLE applications ADD COLUMN institution TEXT NOT NULL DEFAULT '';
-- Screening outcome: a reason key from the fixed list, a staff note, and
-- whether the applicant may see the reason.
ALTER TABLE applications ADD COLUMN screening_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN screening_note TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN screening_reason_shared BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX applications_cycle_submitted ON applications (cycle_id, submitted_at);

CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id       INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    assigned_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    assigned_at    TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    UNIQUE (application_id, reviewer_id)
);
CREATE INDEX assignments_reviewer ON assignments (reviewer_id, due_at);
CREATE INDEX assignments_cycle ON assignments (cycle_id, reviewer_id);

-- A reviewer who must never see an application: declared by the reviewer
-- or recorded by a manager (detected conflicts are computed, not stored).
CREATE TABLE conflicts (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source         TEXT NOT NULL CHECK (source IN ('declared', 'recorded')),
    reason         TEXT NOT NULL,
    recorded_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (application_id, reviewer_id)
);
CREATE INDEX conflicts_reviewer ON conflicts (reviewer_id);

-- One review per assignment. score_mean and score_total (0-100) are set on
-- submission; z is the total's z-score among the reviewer's submitted
-- reviews in the cycle, NULL while they have fewer than three.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    assignment_id   INTEGER NOT NULL UNIQUE REFERENCES assignments (id) ON DELETE CASCADE,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id        INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'submitted')),
    scores_json     TEXT NOT NULL,
    comments_json   TEXT NOT NULL,
    overall_comment TEXT NOT NULL DEFAULT '',
    recommendation  TEXT NOT NULL DEFAULT '',
    confidence      TEXT NOT NULL DEFAULT '',
    score_mean      REAL,
    score_total     REAL,
    z               REAL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT
);
CREATE INDEX reviews_application ON reviews (application_id, state);
CREATE INDEX reviews_cycle_reviewer ON reviews (cycle_id, reviewer_id, state);
