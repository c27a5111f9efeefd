-- Search in a cycle's applications list: one row per application holding
-- its applicant's name, email and institution in lower case, with a
-- trigram (pg_trgm) GIN index so that "contains" (LIKE '%oka%') is an
-- index search; kept up to date by triggers wherever those change (an
-- application created or its institution set; a user's name or email
-- changed), and filled here for the applications already stored.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE application_search (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    body           TEXT NOT NULL
);

INSERT INTO application_search (application_id, body)
SELECT a.id, LOWER(u.name || ' ' || u.email || ' ' || a.institution)
FROM applications a JOIN users u ON u.id = a.applicant_id;

CREATE INDEX application_search_body ON application_search USING gin (body gin_trgm_ops);

CREATE FUNCTION application_search_of_application() RETURNS trigger AS $$
BEGIN
    INSERT INTO application_search (application_id, body)
    SELECT NEW.id, LOWER(u.name || ' ' || u.email || ' ' || NEW.institution)
    FROM users u WHERE u.id = NEW.applicant_id
    ON CONFLICT (application_id) DO UPDATE SET body = excluded.body;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER application_search_insert AFTER INSERT ON applications
    FOR EACH ROW EXECUTE FUNCTION application_search_of_application();
CREATE TRIGGER application_search_update AFTER UPDATE OF institution, applicant_id ON applications
    FOR EACH ROW EXECUTE FUNCTION application_search_of_application();

CREATE FUNCTION application_search_of_user() RETURNS trigger AS $$
BEGIN
    UPDATE application_search s
    SET body = LOWER(NEW.name || ' ' || NEW.email || ' ' || a.institution)
    FROM applications a
    WHERE a.applicant_id = NEW.id AND s.application_id = a.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER application_search_user AFTER UPDATE OF name, email ON users
    FOR EACH ROW EXECUTE FUNCTION application_search_of_user();
