-- Cycles set up in the browser: whether a cycle is published (listed and
-- open to applicants; cycles that existed before are), and the history of
-- every change to a cycle's name, time zone, dates and grace period.

ALTER TABLE cycles ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;

-- One row per changed field. Dates are RFC 3339 UTC text, shown in
-- `time_zone` (the cycle's zone after the change); other fields as typed.
CREATE TABLE cycle_changes (
    id         BIGSERIAL PRIMARY KEY,
    cycle_id   BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    field      TEXT NOT NULL CHECK (field IN ('name', 'time_zone', 'opens_at', 'closes_at',
                                              'letters_due_at', 'decision_planned_at',
                                              'letters_grace_hours')),
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX cycle_changes_cycle ON cycle_changes (cycle_id, id);
