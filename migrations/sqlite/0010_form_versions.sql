-- Forms are versioned: every change of a cycle's form is a new numbered
-- version (who, when, what changed in one line); the cycle points at its
-- current version, and an application at the version its answers were
-- given under. Every existing cycle and application starts on version 1.

CREATE TABLE form_versions (
    id         INTEGER PRIMARY KEY,
    cycle_id   INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL CHECK (number >= 1),
    form_json  TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    UNIQUE (cycle_id, number)
);

ALTER TABLE cycles ADD COLUMN form_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE applications ADD COLUMN form_version INTEGER NOT NULL DEFAULT 1;

INSERT INTO form_versions (cycle_id, number, form_json, created_by, created_at, summary)
SELECT id, 1, form_json, NULL, created_at, 'First version' FROM cycles;
