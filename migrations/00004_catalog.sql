-- +goose Up
-- The content catalog: programs and their requirements, modules and their
-- immutable versions, agents' reading progress and the import log. Loaded by
-- `skillgate import` from content/ (see content/README.md) and by trainers
-- publishing new versions.

-- A program is one line of business of a client that contacts are routed to.
-- Its certification policy is columns (certification reads them per program);
-- its other requirements are rows in the program_* tables below.
CREATE TABLE programs (
    id                         uuid PRIMARY KEY,
    client_id                  uuid NOT NULL REFERENCES clients (id),
    slug                       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                       text NOT NULL CHECK (name <> ''),
    channels                   text[] NOT NULL CHECK (cardinality(channels) > 0
                                   AND channels <@ ARRAY['voice', 'chat', 'email', 'sms', 'social']),
    description                text NOT NULL DEFAULT '',
    valid_days                 integer NOT NULL CHECK (valid_days > 0),
    refresher_window_days      integer NOT NULL CHECK (refresher_window_days >= 0 AND refresher_window_days < valid_days),
    material_change_grace_days integer NOT NULL CHECK (material_change_grace_days >= 0 AND material_change_grace_days < valid_days),
    -- spec_hash is a hash of the program as last imported, so an unchanged
    -- program.yaml is recognised without comparing every requirement row.
    spec_hash                  text NOT NULL,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    UNIQUE (client_id, slug)
);

-- A module is one markdown lesson: a client's (client_id set) or a core skill
-- every client may list (client_id NULL, kind core-skill). Its text lives in
-- module_versions; current_version is the newest version's number.
CREATE TABLE modules (
    id              uuid PRIMARY KEY,
    client_id       uuid REFERENCES clients (id),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    kind            text NOT NULL CHECK (kind IN ('product', 'sales-message', 'procedure', 'policy', 'core-skill')),
    current_version integer NOT NULL CHECK (current_version >= 1),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK ((kind = 'core-skill') = (client_id IS NULL))
);
CREATE UNIQUE INDEX modules_client_slug ON modules (client_id, slug) WHERE client_id IS NOT NULL;
CREATE UNIQUE INDEX modules_core_slug ON modules (slug) WHERE client_id IS NULL;

-- Every published text of a module, never changed once written. body_text is
-- the rendered text without markup (for search and snippets); html and toc
-- are rendered and sanitized once, when the version is published.
CREATE TABLE module_versions (
    id              uuid PRIMARY KEY,
    module_id       uuid NOT NULL REFERENCES modules (id),
    number          integer NOT NULL CHECK (number >= 1),
    title           text NOT NULL CHECK (title <> ''),
    summary         text NOT NULL DEFAULT '',
    minutes         integer NOT NULL CHECK (minutes > 0),
    change_kind     text NOT NULL CHECK (change_kind IN ('minor', 'material')),
    source          text NOT NULL,  -- the whole file: front matter and markdown
    markdown        text NOT NULL,  -- the markdown body alone
    html            text NOT NULL,
    toc             jsonb NOT NULL,
    body_text       text NOT NULL,
    content_hash    text NOT NULL,
    created_at      timestamptz NOT NULL,
    published_kind  text NOT NULL CHECK (published_kind IN ('user', 'api_key', 'system')),
    published_by    text NOT NULL,
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', title), 'A') ||
                        setweight(to_tsvector('english', summary), 'B') ||
                        setweight(to_tsvector('english', body_text), 'C')) STORED,
    UNIQUE (module_id, number)
);
CREATE INDEX module_versions_search ON module_versions USING GIN (search);

ALTER TABLE modules ADD FOREIGN KEY (id, current_version)
    REFERENCES module_versions (module_id, number) DEFERRABLE INITIALLY DEFERRED;

-- +goose StatementBegin
CREATE FUNCTION module_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'module versions are immutable: % is not allowed, publish a new version', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER module_versions_no_change BEFORE UPDATE OR DELETE ON module_versions
    FOR EACH ROW EXECUTE FUNCTION module_versions_immutable();

-- The modules a program requires, in reading order.
CREATE TABLE program_modules (
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    module_id  uuid NOT NULL REFERENCES modules (id),
    PRIMARY KEY (program_id, module_id),
    UNIQUE (program_id, position)
);
CREATE INDEX program_modules_module ON program_modules (module_id);

-- The quizzes a program requires, by slug: quizzes/<client>/<program>/<slug>.quiz.yaml.
CREATE TABLE program_quizzes (
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    quiz_slug  text NOT NULL,
    PRIMARY KEY (program_id, quiz_slug)
);

-- The role-plays a program requires, and whether a supervisor signs the passing run off.
CREATE TABLE program_roleplays (
    program_id    uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    roleplay_slug text NOT NULL,
    signoff       boolean NOT NULL,
    PRIMARY KEY (program_id, roleplay_slug)
);

-- The licenses a program needs for callers in the given states.
CREATE TABLE program_licenses (
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    class      text NOT NULL CHECK (class <> ''),
    lines      text[] NOT NULL CHECK (cardinality(lines) > 0),
    states     text[] NOT NULL CHECK (cardinality(states) > 0),
    PRIMARY KEY (program_id, position)
);
CREATE INDEX program_licenses_states ON program_licenses USING GIN (states);

-- The onboarding plan: what a new hire has due on which day (day 1 = first day).
CREATE TABLE program_onboarding (
    program_id uuid NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    day        integer NOT NULL CHECK (day >= 1),
    item_kind  text NOT NULL CHECK (item_kind IN ('module', 'quiz', 'roleplay')),
    module_id  uuid REFERENCES modules (id),
    item_slug  text NOT NULL,  -- the quiz or role-play slug, or the module's slug
    PRIMARY KEY (program_id, position),
    CHECK ((item_kind = 'module') = (module_id IS NOT NULL))
);

-- What an agent read: one row per module version opened, so certification
-- evidence names the exact text read.
CREATE TABLE module_progress (
    user_id      uuid NOT NULL,
    module_id    uuid NOT NULL REFERENCES modules (id),
    version      integer NOT NULL,
    opened_at    timestamptz NOT NULL,
    completed_at timestamptz,
    PRIMARY KEY (user_id, module_id, version),
    FOREIGN KEY (module_id, version) REFERENCES module_versions (module_id, number)
);

-- One row per (non dry-run) import: who ran it, when, and what it did.
CREATE TABLE content_imports (
    id         uuid PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_kind text NOT NULL,
    actor_id   text NOT NULL,
    created    integer NOT NULL,
    changed    integer NOT NULL,
    unchanged  integer NOT NULL,
    items      jsonb NOT NULL
);

-- +goose Down
DROP TABLE content_imports;
DROP TABLE module_progress;
DROP TABLE program_onboarding;
DROP TABLE program_licenses;
DROP TABLE program_roleplays;
DROP TABLE program_quizzes;
DROP TABLE program_modules;
DROP TRIGGER module_versions_no_change ON module_versions;
ALTER TABLE modules DROP CONSTRAINT modules_id_current_version_fkey;
DROP TABLE module_versions;
DROP FUNCTION module_versions_immutable();
DROP TABLE modules;
DROP TABLE programs;
