-- Mail that reaches inboxes. Each outbox row gets its own random
-- Message-ID part at enqueue (a retry of the row keeps it; the key alone
-- repeats across installations), the recipient's name for the To header,
-- and for reminders the address of the page that stops them
-- (List-Unsubscribe). Rows queued before keep NULL and are sent as before.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN recipient_name TEXT;
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;

-- Which reminders an address still wants, and the unguessable token of
-- the page (linked from every reminder) where its owner changes that
-- without logging in. Referees have no account, so this is per address
-- (stored lowercase), not per user.
CREATE TABLE mail_preferences (
    email             TEXT PRIMARY KEY,
    token             TEXT NOT NULL UNIQUE,
    referee_reminders BOOLEAN NOT NULL DEFAULT TRUE,
    review_reminders  BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at        TEXT NOT NULL
);
