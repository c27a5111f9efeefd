-- Programs as data: more kinds (award nominations, calls for abstracts or
-- proposals, other), an eligibility summary, the contact address shown to
-- applicants (empty: the portal's own), whether the program is listed on
-- the home page, and when it was archived.
ALTER TABLE programs DROP CONSTRAINT programs_kind_check;
ALTER TABLE programs ADD CONSTRAINT programs_kind_check
    CHECK (kind IN ('fellowship', 'internship', 'nomination', 'call', 'other'));

ALTER TABLE programs ADD COLUMN eligibility TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programs ADD COLUMN archived_at TIMESTAMPTZ;
