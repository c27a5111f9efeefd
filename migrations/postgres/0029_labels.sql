-- Labels a cycle's managers make ("Rural", "Call back") and put on its
-- applications, to filter the list by. A name is unique in its cycle
-- whatever its case.

CREATE TABLE labels (
    id         BIGSERIAL PRIMARY KEY,
    cycle_id   BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX labels_name ON labels (cycle_id, lower(name));

CREATE TABLE application_labels (
    label_id       BIGINT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    PRIMARY KEY (label_id, application_id)
);
CREATE INDEX application_labels_application ON application_labels (application_id);
