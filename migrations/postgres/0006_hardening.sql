-- (SQLite's write_lock table has no counterpart here: PostgreSQL locks rows.)

-- Login throttling counts per account from one address, per address, and
-- per account from everywhere; `account` (the email address) lets a
-- password reset forget every count of its account at once.
ALTER TABLE login_throttle ADD COLUMN account TEXT;
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;
