-- +goose Up
-- A notice's due day, the calendar day a person reads ("due 1 Dec 2026"),
-- beside due_at (the instant, for machines). Onboarding tasks are due by the
-- end of their day, so due_at is the midnight after it; showing due_at as a
-- date read one day late.
ALTER TABLE notifications ADD COLUMN due_date date;
UPDATE notifications SET due_date = (due_at AT TIME ZONE 'UTC')::date - 1
WHERE due_at IS NOT NULL AND (kind LIKE 'onboarding.%' OR kind = 'license.expiring');
UPDATE notifications SET due_date = (due_at AT TIME ZONE 'UTC')::date
WHERE due_at IS NOT NULL AND due_date IS NULL;

-- Where a cohort's plan days count from: the cohort's start for everyone
-- (cohort_start), or each member's own first day, the later of the start
-- and the day they joined (join_date). Existing cohorts keep their dates;
-- new cohorts count from the join date unless told otherwise.
ALTER TABLE cohorts ADD COLUMN due_from text NOT NULL DEFAULT 'cohort_start'
    CHECK (due_from IN ('cohort_start', 'join_date'));
ALTER TABLE cohorts ALTER COLUMN due_from SET DEFAULT 'join_date';

-- A quiz a program gates: it opens once these modules (ids) are completed.
-- NULL: the quiz is open from the start.
ALTER TABLE program_quizzes ADD COLUMN opens_after uuid[];

-- +goose Down
ALTER TABLE program_quizzes DROP COLUMN opens_after;
ALTER TABLE cohorts DROP COLUMN due_from;
ALTER TABLE notifications DROP COLUMN due_date;
