-- Outcomes per cycle: every cycle has the three default outcomes
-- (accepted, waitlisted, declined) under labels its managers may change.
-- `key` is the outcome's name in the cycle; `meaning` is what it does in
-- the workflow (offers, waitlist, release counts), so decisions.outcome
-- and letter_templates.outcome keep holding the meaning. For a default
-- outcome key and meaning are the same.

CREATE TABLE cycle_outcomes (
    cycle_id BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    label    TEXT NOT NULL CHECK (char_length(label) BETWEEN 1 AND 80),
    meaning  TEXT NOT NULL CHECK (meaning IN ('accepted', 'waitlisted', 'declined')),
    position BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, key),
    UNIQUE (cycle_id, label)
);

-- Every cycle already there gets the defaults, under today's labels.
INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position)
    SELECT id, 'accepted', 'Accepted', 'accepted', 1 FROM cycles;
INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position)
    SELECT id, 'waitlisted', 'Waitlisted', 'waitlisted', 2 FROM cycles;
INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position)
    SELECT id, 'declined', 'Not selected', 'declined', 3 FROM cycles;
