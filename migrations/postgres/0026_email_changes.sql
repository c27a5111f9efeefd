-- Changes of a user's email address waiting for the new address to
-- confirm them: the link mailed there carries a random token stored here
-- as its SHA-256. Following it (within a day) makes the address the
-- account's; asking again replaces the waiting change.

CREATE TABLE email_changes (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email    TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX email_changes_waiting ON email_changes (user_id) WHERE used_at IS NULL;
