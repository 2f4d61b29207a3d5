-- +goose Up
-- Module drafts: a module being written or changed in the web app, which
-- agents never see. A draft of an existing module (module_id set) starts
-- from its current version (base_version); a draft of a new module names
-- the client (NULL: a core module) and the program it will be listed in.
-- revision counts saves: it is the draft's ETag, and a save must name the
-- revision it edited (If-Match), so a stale save is refused, not merged.
-- Publishing a draft makes the module's next immutable version (the same
-- code as an import) and deletes the draft.
CREATE TABLE module_drafts (
    id            uuid PRIMARY KEY,
    module_id     uuid REFERENCES modules (id),
    client_id     uuid REFERENCES clients (id),
    program_id    uuid REFERENCES programs (id),
    slug          text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    base_version  integer,
    source        text NOT NULL,
    revision      integer NOT NULL CHECK (revision >= 1),
    created_by    uuid NOT NULL,
    updated_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK ((module_id IS NULL) = (base_version IS NULL)),
    CHECK (module_id IS NOT NULL OR client_id IS NULL OR program_id IS NOT NULL)
);
-- One draft per module, and one draft per new slug of a client (or core).
CREATE UNIQUE INDEX module_drafts_module ON module_drafts (module_id) WHERE module_id IS NOT NULL;
CREATE UNIQUE INDEX module_drafts_new_client_slug ON module_drafts (client_id, slug) WHERE module_id IS NULL AND client_id IS NOT NULL;
CREATE UNIQUE INDEX module_drafts_new_core_slug ON module_drafts (slug) WHERE module_id IS NULL AND client_id IS NULL;

-- Every saved revision of a draft, so a refused save can say what changed
-- since the revision it edited. Deleted with the draft.
CREATE TABLE module_draft_revisions (
    draft_id  uuid NOT NULL REFERENCES module_drafts (id) ON DELETE CASCADE,
    revision  integer NOT NULL,
    source    text NOT NULL,
    saved_by  uuid NOT NULL,
    saved_at  timestamptz NOT NULL,
    PRIMARY KEY (draft_id, revision)
);

-- The library's files that the app cannot write back from its own tables
-- (quizzes/, question banks, role-plays, content/ce-requirements.yaml and the
-- READMEs), byte for byte as last imported, keyed by their path in the
-- library ("quizzes/fenmore-bank/card-services/x.quiz.yaml"). A library
-- export writes them beside the modules, client.yaml and program.yaml files
-- it writes from the catalog, so importing an export changes nothing.
CREATE TABLE library_files (
    path         text PRIMARY KEY CHECK (path ~ '^(content|quizzes)/'),
    content      bytea NOT NULL,
    import_id    uuid NOT NULL,
    imported_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE library_files;
DROP TABLE module_draft_revisions;
DROP TABLE module_drafts;
