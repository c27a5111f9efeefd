-- Messages a cycle's managers write to its applicants, picked by a filter
-- ("drafts", "letters_missing", "stage:review", "decision:accepted"), and
-- who each was sent to; and the automatic reminders to applicants, set per
-- cycle, each sent at most once per application and kind.

CREATE TABLE messages (
    id         BIGSERIAL PRIMARY KEY,
    cycle_id   BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    sent_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    audience   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_cycle ON messages (cycle_id, id);

CREATE TABLE message_recipients (
    message_id     BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, application_id)
);
CREATE INDEX message_recipients_application ON message_recipients (application_id);

CREATE TABLE cycle_reminders (
    cycle_id     BIGINT PRIMARY KEY REFERENCES cycles (id) ON DELETE CASCADE,
    draft_days   BIGINT CHECK (draft_days BETWEEN 1 AND 90),
    referee_days BIGINT CHECK (referee_days BETWEEN 1 AND 90),
    updated_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE applicant_reminders (
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('draft', 'referees')),
    sent_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, kind)
);

ALTER TABLE mail_preferences ADD COLUMN applicant_reminders BOOLEAN NOT NULL DEFAULT TRUE;
