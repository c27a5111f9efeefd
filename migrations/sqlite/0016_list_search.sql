-- Search in a cycle's applications list: an FTS5 index over each
-- application's applicant name, email and institution (rowid = the
-- application's id), kept up to date by triggers wherever those change
-- (an application created or its institution set; a user's name or
-- email changed), and filled here for the applications already stored.
-- Words are searched by prefix ("oka*" finds "Okafor"); diacritics are
-- folded ("jose" finds "José").

CREATE VIRTUAL TABLE application_search USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO application_search (rowid, body)
SELECT a.id, u.name || ' ' || u.email || ' ' || a.institution
FROM applications a JOIN users u ON u.id = a.applicant_id;

CREATE TRIGGER application_search_insert AFTER INSERT ON applications
BEGIN
    INSERT INTO application_search (rowid, body)
    SELECT NEW.id, u.name || ' ' || u.email || ' ' || NEW.institution
    FROM users u WHERE u.id = NEW.applicant_id;
END;

CREATE TRIGGER application_search_update AFTER UPDATE OF institution, applicant_id ON applications
BEGIN
    DELETE FROM application_search WHERE rowid = OLD.id;
    INSERT INTO application_search (rowid, body)
    SELECT NEW.id, u.name || ' ' || u.email || ' ' || NEW.institution
    FROM users u WHERE u.id = NEW.applicant_id;
END;

CREATE TRIGGER application_search_delete AFTER DELETE ON applications
BEGIN
    DELETE FROM application_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER application_search_user AFTER UPDATE OF name, email ON users
BEGIN
    DELETE FROM application_search
    WHERE rowid IN (SELECT id FROM applications WHERE applicant_id = NEW.id);
    INSERT INTO application_search (rowid, body)
    SELECT a.id, NEW.name || ' ' || NEW.email || ' ' || a.institution
    FROM applications a WHERE a.applicant_id = NEW.id;
END;
