-- The reviewer's desk says how many reviews each cycle has to do and done:
-- a count per reviewer, cycle and lane, kept by triggers on `assignments`
-- in the same statement as every change of an assignment's lane, reviewer
-- or cycle (whatever code makes it), so the desk reads a few rows instead
-- of every assignment the reviewer has.
CREATE TABLE desk_counts (
    reviewer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id    INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    lane        TEXT NOT NULL,
    assignments INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (reviewer_id, cycle_id, lane)
);

INSERT INTO desk_counts (reviewer_id, cycle_id, lane, assignments)
SELECT reviewer_id, cycle_id, lane, COUNT(*) FROM assignments GROUP BY reviewer_id, cycle_id, lane;

CREATE TRIGGER assignments_desk_after_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO desk_counts (reviewer_id, cycle_id, lane, assignments)
    VALUES (NEW.reviewer_id, NEW.cycle_id, NEW.lane, 1)
    ON CONFLICT (reviewer_id, cycle_id, lane) DO UPDATE SET assignments = assignments + 1;
END;

CREATE TRIGGER assignments_desk_after_update AFTER UPDATE OF lane, reviewer_id, cycle_id ON assignments
BEGIN
    UPDATE desk_counts SET assignments = assignments - 1
    WHERE reviewer_id = OLD.reviewer_id AND cycle_id = OLD.cycle_id AND lane = OLD.lane;
    INSERT INTO desk_counts (reviewer_id, cycle_id, lane, assignments)
    VALUES (NEW.reviewer_id, NEW.cycle_id, NEW.lane, 1)
    ON CONFLICT (reviewer_id, cycle_id, lane) DO UPDATE SET assignments = assignments + 1;
END;

CREATE TRIGGER assignments_desk_after_delete AFTER DELETE ON assignments
BEGIN
    UPDATE desk_counts SET assignments = assignments - 1
    WHERE reviewer_id = OLD.reviewer_id AND cycle_id = OLD.cycle_id AND lane = OLD.lane;
END;

-- The ranking and the dashboard count a cycle's ranked applications by
-- group (0 every review in, 1 some in, 2 none in): a count per cycle and
-- group, kept by triggers on the applications' summary rows.
CREATE TABLE ranking_counts (
    cycle_id     INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    grp          INTEGER NOT NULL,
    applications INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, grp)
);

INSERT INTO ranking_counts (cycle_id, grp, applications)
SELECT cycle_id, grp, COUNT(*) FROM application_scores WHERE ranked = 1 GROUP BY cycle_id, grp;

CREATE TRIGGER application_scores_rank_after_insert AFTER INSERT ON application_scores
BEGIN
    INSERT INTO ranking_counts (cycle_id, grp, applications)
    SELECT NEW.cycle_id, NEW.grp, 1 WHERE NEW.ranked = 1
    ON CONFLICT (cycle_id, grp) DO UPDATE SET applications = applications + 1;
END;

CREATE TRIGGER application_scores_rank_after_update AFTER UPDATE OF ranked, grp, cycle_id ON application_scores
BEGIN
    UPDATE ranking_counts SET applications = applications - 1
    WHERE OLD.ranked = 1 AND cycle_id = OLD.cycle_id AND grp = OLD.grp;
    INSERT INTO ranking_counts (cycle_id, grp, applications)
    SELECT NEW.cycle_id, NEW.grp, 1 WHERE NEW.ranked = 1
    ON CONFLICT (cycle_id, grp) DO UPDATE SET applications = applications + 1;
END;

CREATE TRIGGER application_scores_rank_after_delete AFTER DELETE ON application_scores
BEGIN
    UPDATE ranking_counts SET applications = applications - 1
    WHERE OLD.ranked = 1 AND cycle_id = OLD.cycle_id AND grp = OLD.grp;
END;

-- The dashboard's score distribution: how many ranked applications with a
-- review in fall in each ten-point band of their normalised score (band 0
-- also takes scores below 0, band 9 those of 90 and more; the width is
-- `summaries::BUCKET_WIDTH`). Kept by triggers on the summary rows that
-- run only when a row changes band: rescaling the cycle moves most scores
-- within their band and costs nothing here.
CREATE TABLE score_bands (
    cycle_id     INTEGER NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    band         INTEGER NOT NULL,
    applications INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, band)
);

INSERT INTO score_bands (cycle_id, band, applications)
SELECT cycle_id, CASE WHEN normalised < 10 THEN 0 WHEN normalised >= 90 THEN 9 ELSE CAST(normalised / 10 AS INTEGER) END, COUNT(*)
FROM application_scores WHERE ranked = 1 AND grp IN (0, 1) AND normalised IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER application_scores_band_after_insert AFTER INSERT ON application_scores
WHEN NEW.ranked = 1 AND NEW.grp IN (0, 1) AND NEW.normalised IS NOT NULL
BEGIN
    INSERT INTO score_bands (cycle_id, band, applications)
    VALUES (NEW.cycle_id, CASE WHEN NEW.normalised < 10 THEN 0 WHEN NEW.normalised >= 90 THEN 9 ELSE CAST(NEW.normalised / 10 AS INTEGER) END, 1)
    ON CONFLICT (cycle_id, band) DO UPDATE SET applications = applications + 1;
END;

CREATE TRIGGER application_scores_band_after_update AFTER UPDATE OF normalised, ranked, grp, cycle_id ON application_scores
WHEN OLD.cycle_id <> NEW.cycle_id
  OR (CASE WHEN OLD.ranked = 1 AND OLD.grp IN (0, 1) AND OLD.normalised IS NOT NULL THEN
        CASE WHEN OLD.normalised < 10 THEN 0 WHEN OLD.normalised >= 90 THEN 9 ELSE CAST(OLD.normalised / 10 AS INTEGER) END
      ELSE -1 END)
  <> (CASE WHEN NEW.ranked = 1 AND NEW.grp IN (0, 1) AND NEW.normalised IS NOT NULL THEN
        CASE WHEN NEW.normalised < 10 THEN 0 WHEN NEW.normalised >= 90 THEN 9 ELSE CAST(NEW.normalised / 10 AS INTEGER) END
      ELSE -1 END)
BEGIN
    UPDATE score_bands SET applications = applications - 1
    WHERE OLD.ranked = 1 AND OLD.grp IN (0, 1) AND OLD.normalised IS NOT NULL AND cycle_id = OLD.cycle_id
      AND band = CASE WHEN OLD.normalised < 10 THEN 0 WHEN OLD.normalised >= 90 THEN 9 ELSE CAST(OLD.normalised / 10 AS INTEGER) END;
    INSERT INTO score_bands (cycle_id, band, applications)
    SELECT NEW.cycle_id, CASE WHEN NEW.normalised < 10 THEN 0 WHEN NEW.normalised >= 90 THEN 9 ELSE CAST(NEW.normalised / 10 AS INTEGER) END, 1
    WHERE NEW.ranked = 1 AND NEW.grp IN (0, 1) AND NEW.normalised IS NOT NULL
    ON CONFLICT (cycle_id, band) DO UPDATE SET applications = applications + 1;
END;

CREATE TRIGGER application_scores_band_after_delete AFTER DELETE ON application_scores
WHEN OLD.ranked = 1 AND OLD.grp IN (0, 1) AND OLD.normalised IS NOT NULL
BEGIN
    UPDATE score_bands SET applications = applications - 1
    WHERE cycle_id = OLD.cycle_id
      AND band = CASE WHEN OLD.normalised < 10 THEN 0 WHEN OLD.normalised >= 90 THEN 9 ELSE CAST(OLD.normalised / 10 AS INTEGER) END;
END;
