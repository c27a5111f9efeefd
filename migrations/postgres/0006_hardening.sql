-- (SQLite's write_lock table has no counterpart here: PostgreSQL locks rows.)

-- Login throttling counts per account from one address, per address, and
-- per account from everywhere; `account` (the email address) lets a
-- password reset forget every count of its account at once.
-- Counters from before are forgotten (they last minutes, and carry no
-- account to clear them by).
DELETE FROM login_throttle;
ALTER TABLE login_throttle ADD COLUMN account TEXT;
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;

-- The outbox sends account mail and decisions before bulk reminders
-- (`priority`, smaller first), keeps a working link's secret apart so that
-- it can be removed from the stored bodies once the message is sent, and
-- marks a letter a newer one replaced before it was confirmed sent as
-- `superseded` (never retried).
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'superseded'));
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN secret TEXT;
CREATE INDEX outbox_claim ON outbox (status, priority, id);
CREATE INDEX outbox_waiting_to ON outbox (recipient, kind) WHERE status = 'pending';

-- Mail anyone can make the portal send, counted per clock hour and key
-- (`recipient:<email>`, `account:<id>`, `address:<ip>`).
CREATE TABLE mail_limits (
    key          TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- A review whose reviewer then declares (or is found to have) a conflict
-- is set aside here, on the record but out of every score: the reviews
-- table holds only the reviews that count.
CREATE TABLE set_aside_reviews (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id        BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    scores_json     TEXT NOT NULL,
    comments_json   TEXT NOT NULL,
    overall_comment TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    confidence      TEXT NOT NULL,
    score_mean      DOUBLE PRECISION,
    score_total     DOUBLE PRECISION,
    submitted_at    TIMESTAMPTZ,
    set_aside_at    TIMESTAMPTZ NOT NULL,
    why             TEXT NOT NULL
);
CREATE INDEX set_aside_reviews_application ON set_aside_reviews (application_id);
