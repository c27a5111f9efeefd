-- Decisions (held until released), offers, the history of decisions, and
-- letter templates per cycle and outcome.

-- Days an accepted applicant has to answer an offer, from its release.
ALTER TABLE cycles ADD COLUMN offer_days BIGINT NOT NULL DEFAULT 14;

-- One decision per application. `version` grows with every change (a
-- manager's form carries the version it saw); `released_version` is the
-- version the applicant was told about.
CREATE TABLE decisions (
    application_id   BIGINT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    cycle_id         BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    outcome          TEXT NOT NULL CHECK (outcome IN ('accepted', 'waitlisted', 'declined')),
    note             TEXT NOT NULL DEFAULT '',
    version          BIGINT NOT NULL DEFAULT 1,
    decided_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at       TIMESTAMPTZ NOT NULL,
    released_at      TIMESTAMPTZ,
    released_version BIGINT,
    offer_deadline   TIMESTAMPTZ,
    offer_answer     TEXT CHECK (offer_answer IN ('accepted', 'declined', 'lapsed')),
    answered_at      TIMESTAMPTZ
);
CREATE INDEX decisions_cycle ON decisions (cycle_id, outcome, released_at);
CREATE INDEX decisions_open_offers ON decisions (offer_deadline) WHERE offer_answer IS NULL;

-- Every decision as recorded, for the history.
CREATE TABLE decision_events (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    what           TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    actor_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX decision_events_application ON decision_events (application_id, id);

CREATE TABLE letter_templates (
    cycle_id   BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    outcome    TEXT NOT NULL CHECK (outcome IN ('accepted', 'waitlisted', 'declined')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cycle_id, outcome)
);

CREATE INDEX outbox_status ON outbox (status, id);
