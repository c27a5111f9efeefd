-- Staff notes on an application: written by its program's managers,
-- kept as written (a note is added, never edited), shown to the
-- application's reviewers only when marked for them.

CREATE TABLE application_notes (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    author_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body           TEXT NOT NULL,
    for_reviewers  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_notes_application ON application_notes (application_id, id);
