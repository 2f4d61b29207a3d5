-- +goose Up
-- Role-play scenarios (quizzes/ROLEPLAYS.md), their immutable versions, the
-- runs agents play turn by turn, and supervisors' review of passing runs.

-- A client's scenario, in a program's folder; its content lives in versions.
CREATE TABLE roleplays (
    id              uuid PRIMARY KEY,
    client_id       uuid NOT NULL REFERENCES clients (id),
    program_id      uuid NOT NULL REFERENCES programs (id),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    current_version integer NOT NULL CHECK (current_version >= 1),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (program_id, slug)
);

-- Every imported content of a scenario (the resolved scenario as JSON, core
-- vars substituted), never changed once written.
CREATE TABLE roleplay_versions (
    roleplay_id    uuid NOT NULL REFERENCES roleplays (id),
    number         integer NOT NULL CHECK (number >= 1),
    title          text NOT NULL CHECK (title <> ''),
    scenario       jsonb NOT NULL,
    content_hash   text NOT NULL,
    source         text NOT NULL,
    created_at     timestamptz NOT NULL,
    published_kind text NOT NULL,
    published_by   text NOT NULL,
    PRIMARY KEY (roleplay_id, number)
);
ALTER TABLE roleplays ADD FOREIGN KEY (id, current_version)
    REFERENCES roleplay_versions (roleplay_id, number) DEFERRABLE INITIALLY DEFERRED;

-- +goose StatementBegin
CREATE FUNCTION roleplay_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'role-play versions are immutable: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER roleplay_versions_no_change BEFORE UPDATE OR DELETE ON roleplay_versions
    FOR EACH ROW EXECUTE FUNCTION roleplay_versions_immutable();

-- One play-through, pinned to the version it started on. seq counts the
-- recorded turns (a submission must name the seq it saw). state:
-- in_progress → finished, or (a passing run of a scenario whose program wants
-- a sign-off) pending_review → approved | sent_back.
CREATE TABLE roleplay_runs (
    id               uuid PRIMARY KEY,
    roleplay_id      uuid NOT NULL,
    version          integer NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id),
    client_id        uuid NOT NULL REFERENCES clients (id),
    program_id       uuid NOT NULL REFERENCES programs (id),
    state            text NOT NULL CHECK (state IN ('in_progress', 'finished', 'pending_review', 'approved', 'sent_back')),
    seq              integer NOT NULL DEFAULT 0,
    current_turn     text NOT NULL DEFAULT '',
    mood             integer NOT NULL,
    steps            jsonb NOT NULL DEFAULT '[]',
    signoff_required boolean NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    ending           text,
    outcome          text,
    score            jsonb,
    overall          numeric(5, 2),
    passed           boolean,
    reviewed_by      uuid REFERENCES users (id),
    reviewed_at      timestamptz,
    review_note      text,
    FOREIGN KEY (roleplay_id, version) REFERENCES roleplay_versions (roleplay_id, number),
    CHECK ((state = 'in_progress') = (finished_at IS NULL))
);
CREATE INDEX roleplay_runs_user ON roleplay_runs (user_id, roleplay_id, started_at);
CREATE INDEX roleplay_runs_review ON roleplay_runs (client_id, finished_at) WHERE state = 'pending_review';

-- A reviewer's comment on one turn of a run's transcript.
CREATE TABLE roleplay_comments (
    id         uuid PRIMARY KEY,
    run_id     uuid NOT NULL REFERENCES roleplay_runs (id),
    turn_index integer NOT NULL CHECK (turn_index >= 0),
    author_id  uuid NOT NULL REFERENCES users (id),
    text       text NOT NULL CHECK (text <> ''),
    created_at timestamptz NOT NULL
);
CREATE INDEX roleplay_comments_run ON roleplay_comments (run_id, created_at);

-- +goose Down
DROP TABLE roleplay_comments;
DROP TABLE roleplay_runs;
DROP TRIGGER roleplay_versions_no_change ON roleplay_versions;
ALTER TABLE roleplays DROP CONSTRAINT roleplays_id_current_version_fkey;
DROP TABLE roleplay_versions;
DROP FUNCTION roleplay_versions_immutable();
DROP TABLE roleplays;
