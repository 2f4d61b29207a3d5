-- +goose Up
-- Onboarding: cohorts of new hires, their dated tasks from each program's
-- onboarding plan, refresher assignments, and the reminders sent about tasks.

-- A program's optional refresher set (program.yaml `refresher:`): the modules
-- to read again and the quiz to pass when a certification comes up for renewal.
CREATE TABLE program_refresher (
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    item_kind  text NOT NULL CHECK (item_kind IN ('module', 'quiz')),
    module_id  uuid REFERENCES modules (id),
    item_slug  text NOT NULL,
    PRIMARY KEY (program_id, position),
    CHECK ((item_kind = 'module') = (module_id IS NOT NULL))
);

-- When the record last entered refresher_due (a refresher quiz counts when
-- passed from then on); NULL outside refresher_due.
ALTER TABLE certifications ADD COLUMN refresher_since timestamptz;

-- A cohort: new hires who start onboarding together, trained by one trainer
-- for one or more client programs. skip_weekends counts plan days in working
-- days (Saturday and Sunday off); cohort_calendar adds days off and extra
-- working days.
CREATE TABLE cohorts (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    start_date    date NOT NULL,
    trainer_id    uuid NOT NULL REFERENCES users (id),
    skip_weekends boolean NOT NULL DEFAULT true,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE cohort_programs (
    cohort_id  uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    PRIMARY KEY (cohort_id, program_id)
);
CREATE INDEX cohort_programs_program ON cohort_programs (program_id);

CREATE TABLE cohort_members (
    cohort_id uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id),
    added_at  timestamptz NOT NULL,
    added_by  text NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user ON cohort_members (user_id);

-- Calendar overrides: 'off' is a day off (a holiday), 'work' an extra working day.
CREATE TABLE cohort_calendar (
    cohort_id uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    day       date NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('off', 'work')),
    PRIMARY KEY (cohort_id, day)
);

-- One task per member × program plan item, with the date it is due (the end
-- of that day, UTC). Status is computed from certification evidence; done_at
-- caches the first time the reminder job saw it done.
CREATE TABLE onboarding_tasks (
    id         uuid PRIMARY KEY,
    cohort_id  uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id),
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    day        integer NOT NULL CHECK (day >= 1),
    kind       text NOT NULL CHECK (kind IN ('module', 'quiz', 'roleplay')),
    slug       text NOT NULL,
    module_id  uuid REFERENCES modules (id),
    due_date   date NOT NULL,
    done_at    timestamptz,
    UNIQUE (cohort_id, user_id, program_id, kind, slug)
);
CREATE INDEX onboarding_tasks_due ON onboarding_tasks (due_date) WHERE done_at IS NULL;
CREATE INDEX onboarding_tasks_user ON onboarding_tasks (user_id);

-- A refresher assignment: made in the transaction that moves a certification
-- to refresher_due, closed in the one that moves it on.
CREATE TABLE refresher_assignments (
    id               uuid PRIMARY KEY,
    certification_id uuid NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id),
    program_id       uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    reason           text NOT NULL,
    assigned_at      timestamptz NOT NULL,
    due_at           timestamptz,
    -- quiz passes from since on count (the window's opening for a renewal,
    -- the day refresher_due began for a material change)
    since            timestamptz NOT NULL,
    items            jsonb NOT NULL,
    closed_at        timestamptz,
    outcome          text NOT NULL DEFAULT '' -- the certification's state and reason when it closed
);
CREATE UNIQUE INDEX refresher_assignments_open ON refresher_assignments (certification_id) WHERE closed_at IS NULL;
CREATE INDEX refresher_assignments_user ON refresher_assignments (user_id, assigned_at);

-- Reminder keys already handed to the reminder sink ("task-due:<task id>",
-- "task-overdue:<task id>"): inserted in the transaction that calls the sink,
-- so concurrent job runs send each key once.
CREATE TABLE onboarding_reminders (
    key     text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    sent_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE onboarding_reminders;
DROP TABLE refresher_assignments;
DROP TABLE onboarding_tasks;
DROP TABLE cohort_calendar;
DROP TABLE cohort_members;
DROP TABLE cohort_programs;
DROP TABLE cohorts;
ALTER TABLE certifications DROP COLUMN refresher_since;
DROP TABLE program_refresher;
