-- Every write transaction on SQLite begins with a statement that writes to
-- this table (it never holds a row), so that it takes the database's write
-- lock at once: a transaction that reads first and writes later would be
-- refused ("database is locked", whatever the busy timeout) when another
-- connection wrote in between. PostgreSQL needs no such table.
CREATE TABLE write_lock (id INTEGER PRIMARY KEY);

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
-- `superseded` (never retried). SQLite cannot change a CHECK in place,
-- so the table is rebuilt; nothing refers to it.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    message_key     TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    priority        INTEGER NOT NULL DEFAULT 1,
    secret          TEXT
);
INSERT INTO outbox_new (id, message_key, kind, recipient, subject, text_body, html_body, status, attempts,
                        next_attempt_at, lease_until, last_error, created_at, sent_at)
    SELECT id, message_key, kind, recipient, subject, text_body, html_body, status, attempts,
           next_attempt_at, lease_until, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_claim ON outbox (status, priority, id);
CREATE INDEX outbox_waiting_to ON outbox (recipient, kind) WHERE status = 'pending';

-- Mail anyone can make the portal send, counted per clock hour and key
-- (`recipient:<email>`, `account:<id>`, `address:<ip>`).
CREATE TABLE mail_limits (
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- A review whose reviewer then declares (or is found to have) a conflict
-- is set aside here, on the record but out of every score: the reviews
-- table holds only the reviews that count.
CREATE TABLE set_aside_reviews (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id        INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    scores_json     TEXT NOT NULL,
    comments_json   TEXT NOT NULL,
    overall_comment TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    confidence      TEXT NOT NULL,
    score_mean      REAL,
    score_total     REAL,
    submitted_at    TEXT,
    set_aside_at    TEXT NOT NULL,
    why             TEXT NOT NULL
);
CREATE INDEX set_aside_reviews_application ON set_aside_reviews (application_id);
