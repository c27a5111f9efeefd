-- Invitations to review for or manage a program, sent by email. The link
-- carries a random token stored here as its SHA-256; resending replaces
-- the token (the older link stops working) and renews the expiry. An
-- invitation is answered once: accepted (by the account that then holds
-- the role) or revoked. At most one unanswered invitation per address,
-- program and role.

CREATE TABLE invitations (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT NOT NULL,
    program_id  BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('reviewer', 'manager')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    sends       BIGINT NOT NULL DEFAULT 1,
    expires_at  TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    accepted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  TIMESTAMPTZ,
    revoked_by  BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invitations_unanswered ON invitations (email, program_id, role)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_program ON invitations (program_id, created_at)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_waiting ON invitations (created_at)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
