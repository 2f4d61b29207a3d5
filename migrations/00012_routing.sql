-- +goose Up
-- Queue assignments: a supervisor assigns an agent to a program's queue. The
-- gate re-decides every assignment in the background and keeps the last
-- answer here: status active while the agent is routable (for at least one
-- state, for a program that needs licenses), suspended with the reasons when
-- not. valid_until is when that answer can change by itself; checked_at is
-- when it was last decided.
CREATE TABLE assignments (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users (id),
    program_id        uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    status            text NOT NULL CHECK (status IN ('active', 'suspended')),
    suspended_reasons jsonb NOT NULL DEFAULT '[]',
    assigned_by       text NOT NULL,
    assigned_at       timestamptz NOT NULL,
    suspended_at      timestamptz,
    valid_until       timestamptz,
    checked_at        timestamptz NOT NULL,
    dirty             boolean NOT NULL DEFAULT false,
    UNIQUE (user_id, program_id)
);
CREATE INDEX assignments_program ON assignments (program_id, status);
-- The re-decide job finds due and dirty rows without scanning the table.
CREATE INDEX assignments_due ON assignments (valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX assignments_dirty ON assignments (user_id) WHERE dirty;
CREATE INDEX assignments_checked ON assignments (checked_at);

-- How far the re-decide job has read the outbox (license.changed,
-- certification.changed mark the agent's assignments dirty).
CREATE TABLE routing_cursor (
    name text PRIMARY KEY,
    seq  bigint NOT NULL
);
INSERT INTO routing_cursor (name, seq) VALUES ('outbox', 0);

-- +goose Down
DROP TABLE routing_cursor;
DROP TABLE assignments;
