-- Score summaries, kept up to date in the transaction of every change that
-- moves them (see src/db/scores.rs), so the ranking, the manager's
-- application page and the cycle dashboard read a few rows instead of
-- aggregating the cycle's reviews.
--
-- A reviewer removed from an application after submitting: the
-- assignment is kept on the record here (the assignments table holds only
-- live assignments, as reviews holds only the reviews that count) and the
-- review is set aside (set_aside_reviews), counted in no figure.
CREATE TABLE removed_assignments (
    id             BIGSERIAL PRIMARY KEY,
    assignment_id  BIGINT NOT NULL,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cycle_id       BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    assigned_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at    TIMESTAMPTZ NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    removed_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    removed_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX removed_assignments_application ON removed_assignments (application_id);

-- Per cycle: the scale of its submitted totals (count, sum, sum of
-- squares, and the mean and population standard deviation they give).
CREATE TABLE cycle_scores (
    cycle_id   BIGINT PRIMARY KEY REFERENCES cycles (id) ON DELETE CASCADE,
    reviews    BIGINT NOT NULL DEFAULT 0,
    sum_total  DOUBLE PRECISION NOT NULL DEFAULT 0,
    sum_square DOUBLE PRECISION NOT NULL DEFAULT 0,
    mean       DOUBLE PRECISION NOT NULL DEFAULT 0,
    sd         DOUBLE PRECISION NOT NULL DEFAULT 0
);

-- Per cycle and stage: how many applications.
CREATE TABLE cycle_stage_counts (
    cycle_id     BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    applications BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, stage)
);

-- Per cycle and reviewer: assignments (not removed), submitted reviews,
-- and the count, sum and sum of squares of their submitted totals.
CREATE TABLE reviewer_scores (
    cycle_id    BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    reviewer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned    BIGINT NOT NULL DEFAULT 0,
    submitted   BIGINT NOT NULL DEFAULT 0,
    reviews     BIGINT NOT NULL DEFAULT 0,
    sum_total   DOUBLE PRECISION NOT NULL DEFAULT 0,
    sum_square  DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, reviewer_id)
);

-- Per application: its counts and figures over its submitted reviews.
-- ranked: the stage is review, committee or decided. grp: 0 complete
-- (reviews in >= assigned > 0), 1 incomplete with reviews, 2 none in.
-- raw_sum sums the totals of reviews without a z; z_sum and z_count the
-- others' z, so normalised = (raw_sum + z_count * cycle mean + cycle sd *
-- z_sum) / reviewed.
CREATE TABLE application_scores (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    cycle_id       BIGINT NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    applicant_id   BIGINT NOT NULL,
    ranked         BIGINT NOT NULL DEFAULT 0,
    grp            BIGINT NOT NULL DEFAULT 2,
    assigned       BIGINT NOT NULL DEFAULT 0,
    reviewed       BIGINT NOT NULL DEFAULT 0,
    complete       BIGINT NOT NULL DEFAULT 0,
    sum_mean       DOUBLE PRECISION NOT NULL DEFAULT 0,
    sum_total      DOUBLE PRECISION NOT NULL DEFAULT 0,
    sum_square     DOUBLE PRECISION NOT NULL DEFAULT 0,
    raw_sum        DOUBLE PRECISION NOT NULL DEFAULT 0,
    z_sum          DOUBLE PRECISION NOT NULL DEFAULT 0,
    z_count        BIGINT NOT NULL DEFAULT 0,
    mean           DOUBLE PRECISION,
    total          DOUBLE PRECISION,
    spread         DOUBLE PRECISION,
    variance       DOUBLE PRECISION,
    normalised     DOUBLE PRECISION
);
CREATE INDEX application_scores_normalised ON application_scores (cycle_id, ranked, grp, normalised, application_id);
CREATE INDEX application_scores_total ON application_scores (cycle_id, ranked, grp, total, application_id);
CREATE INDEX application_scores_mean ON application_scores (cycle_id, ranked, grp, mean, application_id);
CREATE INDEX application_scores_variance ON application_scores (cycle_id, ranked, grp, variance, application_id);
CREATE INDEX application_scores_reviewed ON application_scores (cycle_id, ranked, grp, reviewed, application_id);

-- Backfill from the rows there are.
INSERT INTO cycle_stage_counts (cycle_id, stage, applications)
SELECT cycle_id, stage, COUNT(*) FROM applications GROUP BY cycle_id, stage;

INSERT INTO reviewer_scores (cycle_id, reviewer_id, assigned, submitted, reviews, sum_total, sum_square)
SELECT k.cycle_id, k.reviewer_id,
    (SELECT COUNT(*) FROM assignments s WHERE s.cycle_id = k.cycle_id AND s.reviewer_id = k.reviewer_id),
    (SELECT COUNT(*) FROM reviews r WHERE r.cycle_id = k.cycle_id AND r.reviewer_id = k.reviewer_id AND r.state = 'submitted'),
    (SELECT COUNT(r.score_total) FROM reviews r WHERE r.cycle_id = k.cycle_id AND r.reviewer_id = k.reviewer_id AND r.state = 'submitted'),
    (SELECT COALESCE(SUM(r.score_total), 0) FROM reviews r WHERE r.cycle_id = k.cycle_id AND r.reviewer_id = k.reviewer_id AND r.state = 'submitted'),
    (SELECT COALESCE(SUM(r.score_total * r.score_total), 0) FROM reviews r WHERE r.cycle_id = k.cycle_id AND r.reviewer_id = k.reviewer_id AND r.state = 'submitted')
FROM (SELECT DISTINCT cycle_id, reviewer_id FROM assignments) k;

INSERT INTO cycle_scores (cycle_id, reviews, sum_total, sum_square, mean, sd)
SELECT c.id, COUNT(r.score_total), COALESCE(SUM(r.score_total), 0), COALESCE(SUM(r.score_total * r.score_total), 0),
    COALESCE(AVG(r.score_total), 0),
    CASE WHEN COUNT(r.score_total) = 0 THEN 0
         ELSE SQRT(GREATEST(AVG(r.score_total * r.score_total) - AVG(r.score_total) * AVG(r.score_total), 0)) END
FROM cycles c LEFT JOIN reviews r ON r.cycle_id = c.id AND r.state = 'submitted' GROUP BY c.id;

INSERT INTO application_scores (application_id, cycle_id, applicant_id, ranked, assigned)
SELECT a.id, a.cycle_id, a.applicant_id, CASE WHEN a.stage IN ('review', 'committee', 'decided') THEN 1 ELSE 0 END,
    (SELECT COUNT(*) FROM assignments s WHERE s.application_id = a.id)
FROM applications a;

UPDATE application_scores SET
    reviewed = (SELECT COUNT(*) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    sum_mean = (SELECT COALESCE(SUM(r.score_mean), 0) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    sum_total = (SELECT COALESCE(SUM(r.score_total), 0) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    sum_square = (SELECT COALESCE(SUM(r.score_total * r.score_total), 0) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    raw_sum = (SELECT COALESCE(SUM(r.score_total), 0) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted' AND r.z IS NULL),
    z_sum = (SELECT COALESCE(SUM(r.z), 0) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    z_count = (SELECT COUNT(r.z) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted'),
    spread = (SELECT MAX(r.score_total) - MIN(r.score_total) FROM reviews r WHERE r.application_id = application_scores.application_id AND r.state = 'submitted');

UPDATE application_scores SET
    complete = CASE WHEN assigned > 0 AND reviewed >= assigned THEN 1 ELSE 0 END,
    grp = CASE WHEN assigned > 0 AND reviewed >= assigned THEN 0 WHEN reviewed > 0 THEN 1 ELSE 2 END,
    mean = CASE WHEN reviewed > 0 THEN sum_mean / reviewed END,
    total = CASE WHEN reviewed > 0 THEN sum_total / reviewed END,
    variance = CASE WHEN reviewed > 0 THEN sum_square / reviewed - (sum_total / reviewed) * (sum_total / reviewed) END,
    normalised = CASE WHEN reviewed > 0 THEN (raw_sum + z_count * (SELECT mean FROM cycle_scores k WHERE k.cycle_id = application_scores.cycle_id)
        + (SELECT sd FROM cycle_scores k WHERE k.cycle_id = application_scores.cycle_id) * z_sum) / reviewed END;
