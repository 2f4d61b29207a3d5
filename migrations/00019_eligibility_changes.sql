-- +goose Up
-- The gate's change feed. Each replica keeps the inputs of the answers it
-- has given in memory and reads this table every 100 ms to drop those a
-- committed change has made stale, so a revocation made anywhere shows on
-- every replica within the gate's bound of one second.
--
-- Triggers write it, so no way of changing an input (a service, a job, an
-- import, a hand-written UPDATE) can forget to: the columns of users,
-- programs, program_licenses, assignments, certifications and licenses that
-- an answer reads. The triggers only add rows here; they change nothing in
-- the tables they watch.
--
-- A row names what changed: a user and a program (that pair's answers), a
-- user (all of theirs), a program (all of its) or nothing (everything, after
-- a TRUNCATE). xid is the writing transaction, so a reader can tell which
-- rows could still appear below the highest seq it has seen: those of the
-- transactions its last snapshot saw in progress.
CREATE TABLE eligibility_changes (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    user_id    uuid,
    program_id uuid,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_changes_xid ON eligibility_changes (xid);

-- +goose StatementBegin
-- A change to one agent × program row (assignments, certifications).
CREATE FUNCTION eligibility_pair_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO eligibility_changes (user_id, program_id) VALUES (OLD.user_id, OLD.program_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.user_id, NEW.program_id) IS DISTINCT FROM (OLD.user_id, OLD.program_id)) THEN
        INSERT INTO eligibility_changes (user_id, program_id) VALUES (NEW.user_id, NEW.program_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A change to one of an agent's licenses.
CREATE FUNCTION eligibility_license_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- A change to a user (an agent's activity, role, email or external id).
CREATE FUNCTION eligibility_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO eligibility_changes (user_id) VALUES (OLD.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A change to a program or its license requirements.
CREATE FUNCTION eligibility_program_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'programs' THEN
        INSERT INTO eligibility_changes (program_id) VALUES (OLD.id);
    ELSIF TG_OP <> 'INSERT' THEN
        INSERT INTO eligibility_changes (program_id) VALUES (OLD.program_id);
    END IF;
    IF TG_TABLE_NAME = 'program_licenses' AND TG_OP <> 'DELETE' THEN
        INSERT INTO eligibility_changes (program_id) VALUES (NEW.program_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A TRUNCATE of a watched table: everything is stale.
CREATE FUNCTION eligibility_all_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO eligibility_changes DEFAULT VALUES;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER assignments_eligibility AFTER INSERT OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION eligibility_pair_changed();
CREATE TRIGGER assignments_eligibility_update AFTER UPDATE ON assignments
    FOR EACH ROW WHEN ((OLD.user_id, OLD.program_id, OLD.status) IS DISTINCT FROM (NEW.user_id, NEW.program_id, NEW.status))
    EXECUTE FUNCTION eligibility_pair_changed();

CREATE TRIGGER certifications_eligibility AFTER INSERT OR DELETE ON certifications
    FOR EACH ROW EXECUTE FUNCTION eligibility_pair_changed();
CREATE TRIGGER certifications_eligibility_update AFTER UPDATE ON certifications
    FOR EACH ROW WHEN ((OLD.user_id, OLD.program_id, OLD.state, OLD.expires_at, OLD.refresher_due_at)
        IS DISTINCT FROM (NEW.user_id, NEW.program_id, NEW.state, NEW.expires_at, NEW.refresher_due_at))
    EXECUTE FUNCTION eligibility_pair_changed();

CREATE TRIGGER licenses_eligibility AFTER INSERT OR DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION eligibility_license_changed();
CREATE TRIGGER licenses_eligibility_update AFTER UPDATE ON licenses
    FOR EACH ROW WHEN ((OLD.user_id, OLD.jurisdiction, OLD.class, OLD.lines_of_authority, OLD.status, OLD.effective_date, OLD.expiry_date)
        IS DISTINCT FROM (NEW.user_id, NEW.jurisdiction, NEW.class, NEW.lines_of_authority, NEW.status, NEW.effective_date, NEW.expiry_date))
    EXECUTE FUNCTION eligibility_license_changed();

-- A new user has no answers yet (one asked about before was not found, and
-- not found is never kept).
CREATE TRIGGER users_eligibility_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION eligibility_user_changed();
CREATE TRIGGER users_eligibility_update AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.id, OLD.external_id, OLD.role, OLD.email, OLD.active)
        IS DISTINCT FROM (NEW.id, NEW.external_id, NEW.role, NEW.email, NEW.active))
    EXECUTE FUNCTION eligibility_user_changed();

-- Likewise a new program.
CREATE TRIGGER programs_eligibility_delete AFTER DELETE ON programs
    FOR EACH ROW EXECUTE FUNCTION eligibility_program_changed();
CREATE TRIGGER programs_eligibility_update AFTER UPDATE ON programs
    FOR EACH ROW WHEN ((OLD.id, OLD.name, OLD.client_id) IS DISTINCT FROM (NEW.id, NEW.name, NEW.client_id))
    EXECUTE FUNCTION eligibility_program_changed();
CREATE TRIGGER program_licenses_eligibility AFTER INSERT OR UPDATE OR DELETE ON program_licenses
    FOR EACH ROW EXECUTE FUNCTION eligibility_program_changed();

CREATE TRIGGER users_eligibility_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER programs_eligibility_truncate AFTER TRUNCATE ON programs
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER program_licenses_eligibility_truncate AFTER TRUNCATE ON program_licenses
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER assignments_eligibility_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER certifications_eligibility_truncate AFTER TRUNCATE ON certifications
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();
CREATE TRIGGER licenses_eligibility_truncate AFTER TRUNCATE ON licenses
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();

-- +goose Down
DROP TRIGGER licenses_eligibility_truncate ON licenses;
DROP TRIGGER certifications_eligibility_truncate ON certifications;
DROP TRIGGER assignments_eligibility_truncate ON assignments;
DROP TRIGGER program_licenses_eligibility_truncate ON program_licenses;
DROP TRIGGER programs_eligibility_truncate ON programs;
DROP TRIGGER users_eligibility_truncate ON users;
DROP TRIGGER program_licenses_eligibility ON program_licenses;
DROP TRIGGER programs_eligibility_update ON programs;
DROP TRIGGER programs_eligibility_delete ON programs;
DROP TRIGGER users_eligibility_update ON users;
DROP TRIGGER users_eligibility_delete ON users;
DROP TRIGGER licenses_eligibility_update ON licenses;
DROP TRIGGER licenses_eligibility ON licenses;
DROP TRIGGER certifications_eligibility_update ON certifications;
DROP TRIGGER certifications_eligibility ON certifications;
DROP TRIGGER assignments_eligibility_update ON assignments;
DROP TRIGGER assignments_eligibility ON assignments;
DROP FUNCTION eligibility_all_changed();
DROP FUNCTION eligibility_program_changed();
DROP FUNCTION eligibility_user_changed();
DROP FUNCTION eligibility_license_changed();
DROP FUNCTION eligibility_pair_changed();
DROP TABLE eligibility_changes;
