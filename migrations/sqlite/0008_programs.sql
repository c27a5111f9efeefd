-- Programs as data: more kinds (award nominations, calls for abstracts or
-- proposals, other), an eligibility summary, the contact address shown to
-- applicants (empty: the portal's own), whether the program is listed on
-- the home page, and when it was archived.
--
-- The kind's CHECK is a column constraint, so it changes by a new column:
-- programs is referenced by cycles and role grants, and dropping and
-- recreating it would cascade their deletion.
ALTER TABLE programs ADD COLUMN kind_new TEXT NOT NULL DEFAULT 'other'
    CHECK (kind_new IN ('fellowship', 'internship', 'nomination', 'call', 'other'));
UPDATE programs SET kind_new = kind;
ALTER TABLE programs DROP COLUMN kind;
ALTER TABLE programs RENAME COLUMN kind_new TO kind;

ALTER TABLE programs ADD COLUMN eligibility TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programs ADD COLUMN archived_at TEXT;
