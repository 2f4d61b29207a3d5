-- +goose Up
-- Quizzes (see quizzes/README.md): imported from quizzes/<client>/<program>/,
-- every change an immutable version; attempts are server-side state pinned to
-- the version they started on, graded on the server.

-- A quiz of a program. current_version is the newest version's number.
CREATE TABLE quizzes (
    id              uuid PRIMARY KEY,
    client_id       uuid NOT NULL REFERENCES clients (id),
    program_id      uuid NOT NULL REFERENCES programs (id),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    title           text NOT NULL CHECK (title <> ''),
    current_version integer NOT NULL CHECK (current_version >= 1),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (program_id, slug)
);

-- Every imported form of a quiz, never changed once written. quiz is the
-- parsed quiz file (settings and inline questions); pool is the question pool
-- resolved at import time from the inline questions and the client's GIFT
-- banks, answer key included (it never leaves the server while an attempt is
-- open). content_hash identifies quiz + pool, so an unchanged quiz and
-- unchanged banks make no new version.
CREATE TABLE quiz_versions (
    id           uuid PRIMARY KEY,
    quiz_id      uuid NOT NULL REFERENCES quizzes (id),
    number       integer NOT NULL CHECK (number >= 1),
    content_hash text NOT NULL,
    quiz         jsonb NOT NULL,
    pool         jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (quiz_id, number)
);

-- +goose StatementBegin
CREATE FUNCTION quiz_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'quiz versions are immutable: % is not allowed, import a new version', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER quiz_versions_no_change BEFORE UPDATE OR DELETE ON quiz_versions
    FOR EACH ROW EXECUTE FUNCTION quiz_versions_immutable();

-- One sitting of a quiz by an agent. The questions are re-derived from the
-- pinned version and the seed (quiz.Draw is deterministic). answers maps a
-- question key to the response; seq counts accepted saves (a save must carry
-- seq + 1). deadline is NULL for untimed quizzes. Once graded, score is the
-- exact fraction "num/den" of points earned, percent its value rounded down,
-- and result what the agent sees under the version's review policy.
CREATE TABLE quiz_attempts (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id),
    quiz_id         uuid NOT NULL REFERENCES quizzes (id),
    quiz_version_id uuid NOT NULL REFERENCES quiz_versions (id),
    number          integer NOT NULL CHECK (number >= 1),
    seed            bigint NOT NULL,
    answers         jsonb NOT NULL DEFAULT '{}',
    seq             integer NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL,
    deadline        timestamptz,
    submitted_at    timestamptz,
    auto_submitted  boolean NOT NULL DEFAULT false,
    score           text,
    percent         numeric(7, 4),
    passed          boolean,
    result          jsonb,
    CHECK ((submitted_at IS NULL) = (score IS NULL)),
    UNIQUE (user_id, quiz_id, number)
);
CREATE INDEX quiz_attempts_quiz ON quiz_attempts (quiz_id, submitted_at);
-- The auto-submit job's queue: open attempts by deadline.
CREATE INDEX quiz_attempts_open_deadline ON quiz_attempts (deadline)
    WHERE submitted_at IS NULL AND deadline IS NOT NULL;

-- One drawn question of a graded attempt, for item analysis: its mark and
-- the options chosen that earn less than full credit.
CREATE TABLE quiz_attempt_items (
    attempt_id    uuid NOT NULL REFERENCES quiz_attempts (id),
    quiz_id       uuid NOT NULL REFERENCES quizzes (id),
    question_key  text NOT NULL,
    position      integer NOT NULL,
    answered      boolean NOT NULL,
    mark          numeric(9, 8) NOT NULL CHECK (mark >= 0 AND mark <= 1),
    wrong_choices text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (attempt_id, question_key)
);
CREATE INDEX quiz_attempt_items_quiz ON quiz_attempt_items (quiz_id, question_key);

-- +goose Down
DROP TABLE quiz_attempt_items;
DROP TABLE quiz_attempts;
DROP TRIGGER quiz_versions_no_change ON quiz_versions;
DROP TABLE quiz_versions;
DROP FUNCTION quiz_versions_immutable();
DROP TABLE quizzes;
