-- Answers kept while an applicant logs in again: a section save (or a
-- referee form) that arrived after the session had ended. Keyed by the
-- SHA-256 of a random token held in a private cookie; read back once,
-- after a login by the application's owner, and kept one hour at most.
-- Never documents: only typed fields, as JSON.

CREATE TABLE answer_stashes (
    id             BIGSERIAL PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('section', 'referee')),
    target         TEXT NOT NULL,
    payload_json   TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX answer_stashes_created ON answer_stashes (created_at);
