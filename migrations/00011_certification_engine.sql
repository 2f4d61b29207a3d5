-- +goose Up
-- The certification engine: a record's state is computed from evidence (see
-- server/internal/certification/rules.go) and every transition is kept.
--
-- evidence is what counted at the last transition (module versions read,
-- quiz attempts and role-play runs); changed_modules lists, while a record is
-- refresher_due because of material changes, each changed module with the
-- version the agent read and the version they must read now.
-- needs_evaluation is set in the same transaction as a change to the
-- evidence (a graded quiz, a finished or reviewed run, a completed module, a
-- material module version) and cleared by the evaluation, so the background
-- job repairs a crash between that commit and the evaluation that follows it.
-- refresher_opens_at is when the refresher window opens (expires_at minus the
-- program's refresher_window_days, fixed at certification); quiz passes from
-- then on renew the certification. revision counts writes to the row, so an
-- evaluation that read the evidence without holding the row lock can tell
-- whether the row moved meanwhile.
ALTER TABLE certifications
    ADD COLUMN evidence           jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN changed_modules    jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN refresher_opens_at timestamptz,
    ADD COLUMN needs_evaluation   boolean NOT NULL DEFAULT false,
    ADD COLUMN revision           bigint NOT NULL DEFAULT 0;
CREATE INDEX certifications_dirty ON certifications (id) WHERE needs_evaluation;
CREATE INDEX certifications_current_expiry ON certifications (expires_at)
    WHERE state IN ('certified', 'refresher_due');
CREATE INDEX certifications_window ON certifications (refresher_opens_at)
    WHERE state = 'certified';
CREATE INDEX certifications_user ON certifications (user_id);

-- The history of a record: one row per transition, in order.
CREATE TABLE certification_events (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               uuid NOT NULL UNIQUE,
    certification_id uuid NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    from_state       text NOT NULL,
    to_state         text NOT NULL,
    reason           text NOT NULL,
    at               timestamptz NOT NULL,
    actor_kind       text NOT NULL,
    actor_id         text NOT NULL,
    details          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX certification_events_record ON certification_events (certification_id, seq);

-- +goose Down
DROP TABLE certification_events;
DROP INDEX certifications_user;
DROP INDEX certifications_window;
DROP INDEX certifications_current_expiry;
DROP INDEX certifications_dirty;
ALTER TABLE certifications
    DROP COLUMN revision,
    DROP COLUMN needs_evaluation,
    DROP COLUMN refresher_opens_at,
    DROP COLUMN changed_modules,
    DROP COLUMN evidence;
