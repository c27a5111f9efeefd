-- Cycles with their forms, applications with their stage events, documents,
-- referee requests, profiles and demographics.

CREATE TABLE cycles (
    id                  INTEGER PRIMARY KEY,
    program_id          INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    opens_at            TEXT NOT NULL,
    closes_at           TEXT NOT NULL,
    letters_due_at      TEXT NOT NULL,
    letters_grace_hours INTEGER NOT NULL,
    decision_planned_at TEXT NOT NULL,
    blind_review        BOOLEAN NOT NULL DEFAULT FALSE,
    form_json           TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    UNIQUE (program_id, name)
);
CREATE INDEX cycles_open ON cycles (opens_at, closes_at);

CREATE TABLE applications (
    id                   INTEGER PRIMARY KEY,
    cycle_id             INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    applicant_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage                TEXT NOT NULL,
    answers_json         TEXT NOT NULL,
    eligibility_json     TEXT NOT NULL,
    deadline_extended_to TEXT,
    decision_released    BOOLEAN NOT NULL DEFAULT FALSE,
    submitted_at         TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (cycle_id, applicant_id)
);
CREATE INDEX applications_cycle_stage ON applications (cycle_id, stage);
CREATE INDEX applications_applicant ON applications (applicant_id);

CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_stage     TEXT,
    to_stage       TEXT NOT NULL,
    move           TEXT NOT NULL,
    actor_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_role     TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

CREATE TABLE application_extensions (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    new_deadline   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    granted_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    granted_at     TEXT NOT NULL
);
CREATE INDEX application_extensions_application ON application_extensions (application_id);

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('upload', 'letter')),
    storage_key   TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX documents_owner ON documents (owner_id);

CREATE TABLE application_documents (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question_key   TEXT NOT NULL,
    document_id    INTEGER NOT NULL REFERENCES documents (id),
    attached_at    TEXT NOT NULL,
    PRIMARY KEY (application_id, question_key)
);
CREATE INDEX application_documents_document ON application_documents (document_id);

CREATE TABLE document_views (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    viewer_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    viewer_role TEXT NOT NULL,
    client_ip   TEXT,
    viewed_at   TEXT NOT NULL
);
CREATE INDEX document_views_document ON document_views (document_id);

CREATE TABLE referee_requests (
    id                 INTEGER PRIMARY KEY,
    application_id     INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question_key       TEXT NOT NULL,
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    email              TEXT NOT NULL,
    relationship       TEXT NOT NULL,
    waived             BOOLEAN NOT NULL,
    token_hash         TEXT NOT NULL UNIQUE,
    token_expires_at   TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('requested', 'received', 'declined')),
    decline_note       TEXT NOT NULL DEFAULT '',
    letter_document_id INTEGER REFERENCES documents (id),
    requested_at       TEXT NOT NULL,
    responded_at       TEXT,
    reminded_at        TEXT,
    UNIQUE (application_id, question_key, position)
);
CREATE INDEX referee_requests_status ON referee_requests (status, reminded_at);

CREATE TABLE profiles (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    preferred_name      TEXT NOT NULL DEFAULT '',
    pronouns            TEXT NOT NULL DEFAULT '',
    institution         TEXT NOT NULL DEFAULT '',
    discipline          TEXT NOT NULL DEFAULT '',
    degree              TEXT NOT NULL DEFAULT '',
    expected_graduation TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    updated_at          TEXT NOT NULL
);

-- Self-identified and optional; never joined into anything a reviewer sees.
CREATE TABLE demographics (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    answers_json TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
