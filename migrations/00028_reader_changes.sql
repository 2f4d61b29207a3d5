-- +goose Up
-- The change feed also tells the readers' caches (server/internal/changefeed)
-- what went stale: a user's sessions and memberships (the principal of
-- every request), and a module and the programs that list it (what an agent
-- may read and its current version). With these, a module read answers
-- from memory with the eligibility view's bound of 0.5 s.
--
-- A row naming only a module (module_id) is a module's change; the
-- eligibility view reads none of a module's rows and skips it.
ALTER TABLE eligibility_changes ADD COLUMN module_id uuid;

-- +goose StatementBegin
-- A change to one of a user's sessions or memberships: that user's.
CREATE FUNCTION reader_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO eligibility_changes (user_id) VALUES (OLD.user_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
        INSERT INTO eligibility_changes (user_id) VALUES (NEW.user_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A change to a module or to which programs list it: that module's.
CREATE FUNCTION reader_module_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'modules' THEN
        INSERT INTO eligibility_changes (module_id) VALUES (OLD.id);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO eligibility_changes (module_id) VALUES (OLD.module_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO eligibility_changes (module_id) VALUES (NEW.module_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A new session is in no cache (one not found is never kept); only its end
-- (revoked, expiry moved, deleted) is a change.
CREATE TRIGGER sessions_reader_update AFTER UPDATE ON sessions
    FOR EACH ROW WHEN ((OLD.user_id, OLD.expires_at, OLD.revoked_at) IS DISTINCT FROM (NEW.user_id, NEW.expires_at, NEW.revoked_at))
    EXECUTE FUNCTION reader_user_changed();
CREATE TRIGGER sessions_reader_delete AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION reader_user_changed();
CREATE TRIGGER memberships_reader AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION reader_user_changed();

-- Likewise a new module; a publish moves current_version.
CREATE TRIGGER modules_reader_update AFTER UPDATE ON modules
    FOR EACH ROW WHEN ((OLD.id, OLD.client_id, OLD.slug, OLD.kind, OLD.current_version)
        IS DISTINCT FROM (NEW.id, NEW.client_id, NEW.slug, NEW.kind, NEW.current_version))
    EXECUTE FUNCTION reader_module_changed();
CREATE TRIGGER modules_reader_delete AFTER DELETE ON modules
    FOR EACH ROW EXECUTE FUNCTION reader_module_changed();
CREATE TRIGGER program_modules_reader AFTER INSERT OR UPDATE OR DELETE ON program_modules
    FOR EACH ROW EXECUTE FUNCTION reader_module_changed();

CREATE TRIGGER sessions_reader_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER memberships_reader_truncate AFTER TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER modules_reader_truncate AFTER TRUNCATE ON modules
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER program_modules_reader_truncate AFTER TRUNCATE ON program_modules
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();

-- A roster names each agent: a new display name is a change of the user
-- (routing's live rosters keep it).
DROP TRIGGER users_eligibility_update ON users;
CREATE TRIGGER users_eligibility_update AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.id, OLD.external_id, OLD.role, OLD.email, OLD.active, OLD.display_name)
        IS DISTINCT FROM (NEW.id, NEW.external_id, NEW.role, NEW.email, NEW.active, NEW.display_name))
    EXECUTE FUNCTION eligibility_user_changed();

-- +goose Down
DROP TRIGGER users_eligibility_update ON users;
CREATE TRIGGER users_eligibility_update AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.id, OLD.external_id, OLD.role, OLD.email, OLD.active)
        IS DISTINCT FROM (NEW.id, NEW.external_id, NEW.role, NEW.email, NEW.active))
    EXECUTE FUNCTION eligibility_user_changed();
DROP TRIGGER program_modules_reader_truncate ON program_modules;
DROP TRIGGER modules_reader_truncate ON modules;
DROP TRIGGER memberships_reader_truncate ON memberships;
DROP TRIGGER sessions_reader_truncate ON sessions;
DROP TRIGGER program_modules_reader ON program_modules;
DROP TRIGGER modules_reader_delete ON modules;
DROP TRIGGER modules_reader_update ON modules;
DROP TRIGGER memberships_reader ON memberships;
DROP TRIGGER sessions_reader_delete ON sessions;
DROP TRIGGER sessions_reader_update ON sessions;
DROP FUNCTION reader_module_changed();
DROP FUNCTION reader_user_changed();
DELETE FROM eligibility_changes WHERE module_id IS NOT NULL;
ALTER TABLE eligibility_changes DROP COLUMN module_id;
