-- The audit log, readable: each entry is filed under the program, cycle
-- and application it concerns (read from its subject when it is
-- recorded), so managers read their programs' entries and an
-- application's page its own history, each from an index. No foreign
-- keys: the record outlives what it names. Entries already stored are
-- filed here the same way.

ALTER TABLE audit_log ADD COLUMN program_id BIGINT;
ALTER TABLE audit_log ADD COLUMN cycle_id BIGINT;
ALTER TABLE audit_log ADD COLUMN application_id BIGINT;

UPDATE audit_log SET application_id = CAST(substr(subject, 13) AS BIGINT)
WHERE subject ~ '^application:[0-9]+$';
UPDATE audit_log SET cycle_id = (SELECT a.cycle_id FROM applications a WHERE a.id = audit_log.application_id)
WHERE application_id IS NOT NULL;
UPDATE audit_log SET cycle_id = CAST(substr(subject, 7) AS BIGINT)
WHERE subject ~ '^cycle:[0-9]+$';
UPDATE audit_log SET program_id = (SELECT c.program_id FROM cycles c WHERE c.id = audit_log.cycle_id)
WHERE cycle_id IS NOT NULL;
UPDATE audit_log SET program_id = CAST(substr(subject, 9) AS BIGINT)
WHERE subject ~ '^program:[0-9]+$';
UPDATE audit_log SET program_id = (SELECT i.program_id FROM invitations i WHERE i.id = CAST(substr(audit_log.subject, 12) AS BIGINT))
WHERE subject ~ '^invitation:[0-9]+$';

CREATE INDEX audit_log_program ON audit_log (program_id, id) WHERE program_id IS NOT NULL;
CREATE INDEX audit_log_application ON audit_log (application_id, id) WHERE application_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
