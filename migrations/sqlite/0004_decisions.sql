-- Decisions (held until released), offers, the history of decisions, and
-- letter templates per cycle and outcome.

-- Days an accepted applicant has to answer an offer, from its release.
ALTER TABLE cycles ADD COLUMN offer_days INTEGER NOT NULL DEFAULT 14;

-- One decision per application. `version` grows with every change (a
-- manager's form carries the version it saw); `released_version` is the
-- version the applicant was told about.
CREATE TABLE decisions (
    application_id   INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    cycle_id         INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    outcome          TEXT NOT NULL CHECK (outcome IN ('accepted', 'waitlisted', 'declined')),
    note             TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL DEFAULT 1,
    decided_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at       TEXT NOT NULL,
    released_at      TEXT,
    released_version INTEGER,
    offer_deadline   TEXT,
    offer_answer     TEXT CHECK (offer_answer IN ('accepted', 'declined', 'lapsed')),
    answered_at      TEXT
);
CREATE INDEX decisions_cycle ON decisions (cycle_id, outcome, released_at);
CREATE INDEX decisions_open_offers ON decisions (offer_deadline) WHERE offer_answer IS NULL;

-- Every decision as recorded, for the history.
CREATE TABLE decision_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    what           TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    actor_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX decision_events_application ON decision_events (application_id, id);

CREATE TABLE letter_templates (
    cycle_id   INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    outcome    TEXT NOT NULL CHECK (outcome IN ('accepted', 'waitlisted', 'declined')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, outcome)
);

CREATE INDEX outbox_status ON outbox (status, id);
