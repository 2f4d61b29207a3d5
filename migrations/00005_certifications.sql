-- +goose Up
-- One row per agent × program: created when the agent is enrolled to train for
-- the program (state in_training) and moved through its states by the
-- certification rules. An agent sees a program's material while enrolled.
CREATE TABLE certifications (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id),
    program_id       uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'in_training'
                     CHECK (state IN ('in_training', 'certified', 'refresher_due', 'expired', 'revoked')),
    enrolled_at      timestamptz NOT NULL,
    enrolled_by      text NOT NULL,
    certified_at     timestamptz,
    expires_at       timestamptz,
    refresher_due_at timestamptz,
    revoked_at       timestamptz,
    revoked_reason   text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL,
    UNIQUE (user_id, program_id)
);
CREATE INDEX certifications_program_state ON certifications (program_id, state);

-- Progress rows belong to users; the catalog migration could not say so before
-- users existed on its branch.
ALTER TABLE module_progress
    ADD CONSTRAINT module_progress_user_fk FOREIGN KEY (user_id) REFERENCES users (id);

-- +goose Down
ALTER TABLE module_progress DROP CONSTRAINT module_progress_user_fk;
DROP TABLE certifications;
