-- The site's own settings, as an admin sets them: the organisation's
-- name (brand, page titles, mail sender and signature), the contact
-- address (footer, mail), the footer's words and a logo. One row or none
-- (none: the defaults). The logo is kept here, not in the document store:
-- it is small (at most 512 KiB), every instance reads the same one, a
-- backup of the database carries it, and nothing can be left behind by a
-- failed save.

CREATE TABLE site_settings (
    id                BIGINT PRIMARY KEY CHECK (id = 1),
    organisation_name TEXT NOT NULL,
    contact_email     TEXT NOT NULL,
    footer_text       TEXT NOT NULL,
    logo              BYTEA NULL,
    logo_type         TEXT NULL,
    logo_sha256       TEXT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
