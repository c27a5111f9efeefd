-- Every write transaction on SQLite begins with a statement that writes to
-- this table (it never holds a row), so that it takes the database's write
-- lock at once: a transaction that reads first and writes later would be
-- refused ("database is locked", whatever the busy timeout) when another
-- connection wrote in between. PostgreSQL needs no such table.
CREATE TABLE write_lock (id INTEGER PRIMARY KEY);

-- Login throttling counts per account from one address, per address, and
-- per account from everywhere; `account` (the email address) lets a
-- password reset forget every count of its account at once.
ALTER TABLE login_throttle ADD COLUMN account TEXT;
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;
