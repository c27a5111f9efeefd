-- Invitations to review for or manage a program, sent by email. The link
-- carries a random token stored here as its SHA-256; resending replaces
-- the token (the older link stops working) and renews the expiry. An
-- invitation is answered once: accepted (by the account that then holds
-- the role) or revoked. At most one unanswered invitation per address,
-- program and role.

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    program_id  INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('reviewer', 'manager')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    sends       INTEGER NOT NULL DEFAULT 1,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  TEXT,
    revoked_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invitations_unanswered ON invitations (email, program_id, role)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_program ON invitations (program_id, created_at)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_waiting ON invitations (created_at)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
