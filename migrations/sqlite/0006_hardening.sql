-- Every write transaction on SQLite begins with a statement that writes to
-- this table (it never holds a row), so that it takes the database's write
-- lock at once: a transaction that reads first and writes later would be
-- refused ("database is locked", whatever the busy timeout) when another
-- connection wrote in between. PostgreSQL needs no such table.
CREATE TABLE write_lock (id INTEGER PRIMARY KEY);
