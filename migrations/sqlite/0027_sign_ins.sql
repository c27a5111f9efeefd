-- Each sign-in (a login, or an account made from an invitation), with the
-- address it came from: an admin reads an account's latest on its page.
-- Sessions are deleted when they end, so they cannot tell this.

CREATE TABLE sign_ins (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signed_in_at TEXT NOT NULL,
    client_ip    TEXT
);
CREATE INDEX sign_ins_user ON sign_ins (user_id, id);
