-- Changes of a user's email address waiting for the new address to
-- confirm them: the link mailed there carries a random token stored here
-- as its SHA-256. Following it (within a day) makes the address the
-- account's; asking again replaces the waiting change.

CREATE TABLE email_changes (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email    TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    requested_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX email_changes_waiting ON email_changes (user_id) WHERE used_at IS NULL;
