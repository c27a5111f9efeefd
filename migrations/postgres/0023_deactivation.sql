-- Accounts an admin deactivated: they cannot log in, and their sessions
-- ended when it happened. Reactivating clears the mark. The partial index
-- holds only deactivated accounts (few), so the managers' dashboard finds
-- their open reviews from them.

ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;
CREATE INDEX users_deactivated ON users (id) WHERE deactivated_at IS NOT NULL;
