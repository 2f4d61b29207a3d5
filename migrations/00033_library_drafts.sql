-- +goose Up
-- Library drafts: one library file (a client.yaml, program.yaml, quiz,
-- question bank or role-play) being written or changed in the web app,
-- which agents never see. path is the file's path in a library export
-- ("quizzes/fenmore-bank/card-services/fees.gift"); client is the slug it
-- belongs to (its second path segment; "_core" for core content) — a slug
-- and not a key, because a draft of a new client's client.yaml names a
-- client that does not exist yet. revision counts saves: it is the draft's
-- ETag, and a save must name the revision it edited (If-Match).
-- Publishing overlays the file on the client's exported library and runs
-- the importer on it, deleting the draft in the same transaction.
CREATE TABLE library_drafts (
    id          uuid PRIMARY KEY,
    client      text NOT NULL CHECK (client ~ '^(_core|[a-z0-9][a-z0-9-]{0,62})$'),
    kind        text NOT NULL CHECK (kind IN ('client', 'program', 'quiz', 'bank', 'roleplay')),
    path        text NOT NULL CHECK (path ~ '^(content|quizzes)/'),
    body        text NOT NULL,
    revision    integer NOT NULL CHECK (revision >= 1),
    created_by  uuid NOT NULL,
    updated_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (client, path)
);
CREATE INDEX library_drafts_client ON library_drafts (client, kind);

-- Every saved revision of a library draft, so a refused save can say which
-- lines changed since the revision it edited. Deleted with the draft.
CREATE TABLE library_draft_revisions (
    draft_id  uuid NOT NULL REFERENCES library_drafts (id) ON DELETE CASCADE,
    revision  integer NOT NULL,
    body      text NOT NULL,
    saved_by  uuid NOT NULL,
    saved_at  timestamptz NOT NULL,
    PRIMARY KEY (draft_id, revision)
);

-- +goose Down
DROP TABLE library_draft_revisions;
DROP TABLE library_drafts;
