-- Extra outcomes: a cycle may add outcomes of its own (such as
-- "Accepted as poster") to the three defaults, each acting as one of the
-- three meanings. A decision keeps its meaning in `outcome` (offers,
-- waitlist, release counts, letters and the export go by it) and names
-- the extra it was recorded as in `outcome_key` (NULL: the meaning's
-- default outcome). The history keeps the key too.

ALTER TABLE decisions ADD COLUMN outcome_key TEXT NULL;
ALTER TABLE decision_events ADD COLUMN outcome_key TEXT NULL;
