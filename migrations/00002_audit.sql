-- +goose Up
-- The audit trail: append-only and hash-chained. Each row's hash covers its
-- content and the previous row's hash, so editing or removing a row breaks
-- the chain at that row (skillgate audit verify names it).
CREATE TABLE audit_log (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           uuid NOT NULL UNIQUE,
    at           timestamptz NOT NULL,
    actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system')),
    actor_id     text NOT NULL,
    action       text NOT NULL CHECK (action <> ''),
    subject_type text NOT NULL,
    subject_id   text NOT NULL,
    client_id    uuid,
    before       jsonb,
    after        jsonb,
    request_id   text NOT NULL DEFAULT '',
    prev_hash    text NOT NULL,
    hash         text NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, seq);
CREATE INDEX audit_log_client ON audit_log (client_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
