-- The reviewer's desk says how many reviews each cycle has to do and done:
-- a count per reviewer, cycle and lane, kept by a trigger on `assignments`
-- in the same statement as every change of an assignment's lane, reviewer
-- or cycle (whatever code makes it), so the desk reads a few rows instead
-- of every assignment the reviewer has.
CREATE TABLE desk_counts (
    reviewer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id    BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    lane        TEXT NOT NULL,
    assignments BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (reviewer_id, cycle_id, lane)
);

INSERT INTO desk_counts (reviewer_id, cycle_id, lane, assignments)
SELECT reviewer_id, cycle_id, lane, COUNT(*) FROM assignments GROUP BY reviewer_id, cycle_id, lane;

CREATE FUNCTION assignments_keep_desk_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE desk_counts SET assignments = assignments - 1
        WHERE reviewer_id = OLD.reviewer_id AND cycle_id = OLD.cycle_id AND lane = OLD.lane;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO desk_counts (reviewer_id, cycle_id, lane, assignments)
        VALUES (NEW.reviewer_id, NEW.cycle_id, NEW.lane, 1)
        ON CONFLICT (reviewer_id, cycle_id, lane) DO UPDATE SET assignments = desk_counts.assignments + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER assignments_keep_desk_counts AFTER INSERT OR DELETE OR UPDATE OF lane, reviewer_id, cycle_id ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_keep_desk_counts();

-- The ranking and the dashboard count a cycle's ranked applications by
-- group (0 every review in, 1 some in, 2 none in): a count per cycle and
-- group, kept by a trigger on the applications' summary rows.
CREATE TABLE ranking_counts (
    cycle_id     BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    grp          BIGINT NOT NULL,
    applications BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, grp)
);

INSERT INTO ranking_counts (cycle_id, grp, applications)
SELECT cycle_id, grp, COUNT(*) FROM application_scores WHERE ranked = 1 GROUP BY cycle_id, grp;

CREATE FUNCTION application_scores_keep_ranking_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.ranked = 1 THEN
        UPDATE ranking_counts SET applications = applications - 1
        WHERE cycle_id = OLD.cycle_id AND grp = OLD.grp;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.ranked = 1 THEN
        INSERT INTO ranking_counts (cycle_id, grp, applications) VALUES (NEW.cycle_id, NEW.grp, 1)
        ON CONFLICT (cycle_id, grp) DO UPDATE SET applications = ranking_counts.applications + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER application_scores_keep_ranking_counts
    AFTER INSERT OR DELETE OR UPDATE OF ranked, grp, cycle_id ON application_scores
    FOR EACH ROW EXECUTE FUNCTION application_scores_keep_ranking_counts();

-- The dashboard's score distribution: how many ranked applications with a
-- review in fall in each ten-point band of their normalised score (band 0
-- also takes scores below 0, band 9 those of 90 and more; the width is
-- `summaries::BUCKET_WIDTH`). Kept by a trigger on the summary rows that
-- runs only when a row changes band: rescaling the cycle moves most scores
-- within their band and costs nothing here.
CREATE TABLE score_bands (
    cycle_id     BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    band         BIGINT NOT NULL,
    applications BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, band)
);

-- The band of a summary row, or -1 when it is not counted.
CREATE FUNCTION application_scores_band(ranked BIGINT, grp BIGINT, normalised DOUBLE PRECISION)
RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ranked = 1 AND grp IN (0, 1) AND normalised IS NOT NULL THEN
        CASE WHEN normalised < 10 THEN 0 WHEN normalised >= 90 THEN 9 ELSE CAST(FLOOR(normalised / 10) AS BIGINT) END
    ELSE -1 END
$$;

INSERT INTO score_bands (cycle_id, band, applications)
SELECT cycle_id, application_scores_band(ranked, grp, normalised), COUNT(*)
FROM application_scores WHERE application_scores_band(ranked, grp, normalised) >= 0 GROUP BY 1, 2;

CREATE FUNCTION application_scores_keep_score_bands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND application_scores_band(OLD.ranked, OLD.grp, OLD.normalised) >= 0 THEN
        UPDATE score_bands SET applications = applications - 1
        WHERE cycle_id = OLD.cycle_id AND band = application_scores_band(OLD.ranked, OLD.grp, OLD.normalised);
    END IF;
    IF TG_OP <> 'DELETE' AND application_scores_band(NEW.ranked, NEW.grp, NEW.normalised) >= 0 THEN
        INSERT INTO score_bands (cycle_id, band, applications)
        VALUES (NEW.cycle_id, application_scores_band(NEW.ranked, NEW.grp, NEW.normalised), 1)
        ON CONFLICT (cycle_id, band) DO UPDATE SET applications = score_bands.applications + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER application_scores_band_after_insert_or_delete AFTER INSERT OR DELETE ON application_scores
    FOR EACH ROW EXECUTE FUNCTION application_scores_keep_score_bands();

CREATE TRIGGER application_scores_band_after_update AFTER UPDATE OF normalised, ranked, grp, cycle_id ON application_scores
    FOR EACH ROW
    WHEN (OLD.cycle_id <> NEW.cycle_id
          OR application_scores_band(OLD.ranked, OLD.grp, OLD.normalised)
             <> application_scores_band(NEW.ranked, NEW.grp, NEW.normalised))
    EXECUTE FUNCTION application_scores_keep_score_bands();
