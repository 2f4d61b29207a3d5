-- +goose Up
-- The audit chain is linked after the commit, not inside every audited
-- transaction. Until now each append took one lock shared by every replica
-- and held it through its transaction's commit, so every audited change in
-- the product committed one at a time (and, under load, queued). Now a
-- transaction only inserts its rows; the sealer (audit.Seal, a worker on
-- every replica, one at a time under the chain lock) links them a moment
-- later: it gives each row the next chain position, the previous row's
-- hash and its own hash.
--
-- The chain's order is chain_pos, the order rows were sealed in, not seq:
-- transactions commit in another order than they took their seq, and a row
-- the sealer cannot see yet (its transaction is still open) is simply
-- linked by a later pass, after the rows already linked. Rows written
-- before this migration keep their hashes and take chain_pos = seq, the
-- order they were chained in.
--
-- A row is sealed once: the append-only trigger now lets one UPDATE through,
-- the one that fills the three chain columns of an unsealed row and changes
-- nothing else.
ALTER TABLE audit_log ADD COLUMN chain_pos bigint;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET chain_pos = seq;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
    CHECK ((chain_pos IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL));
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_pos);
CREATE INDEX audit_log_unsealed ON audit_log (seq) WHERE chain_pos IS NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_pos IS NULL AND NEW.chain_pos IS NOT NULL
       AND (NEW.seq, NEW.id, NEW.at, NEW.actor_kind, NEW.actor_id, NEW.action, NEW.subject_type, NEW.subject_id,
            NEW.client_id, NEW.before, NEW.after, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.seq, OLD.id, OLD.at, OLD.actor_kind, OLD.actor_id, OLD.action, OLD.subject_type, OLD.subject_id,
            OLD.client_id, OLD.before, OLD.after, OLD.request_id) THEN
        RETURN NEW; -- the seal
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

DROP FUNCTION audit_append(uuid, timestamptz, text, text, text, text, text, uuid, jsonb, jsonb, text, bytea);

-- +goose Down
-- The old binaries chain in seq order with every row linked: going down
-- needs every row sealed, in seq order.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE chain_pos IS NULL) THEN
        RAISE EXCEPTION 'audit_log has unsealed rows: run the server (its sealer) before migrating down';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT chain_pos, lag(chain_pos) OVER (ORDER BY seq) AS before FROM audit_log) x
               WHERE x.before > x.chain_pos) THEN
        RAISE EXCEPTION 'audit_log was sealed out of seq order: the old binaries cannot verify it';
    END IF;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_append(
    p_id uuid, p_at timestamptz, p_actor_kind text, p_actor_id text, p_action text, p_subject_type text,
    p_subject_id text, p_client_id uuid, p_before jsonb, p_after jsonb, p_request_id text, p_content bytea,
    OUT prev_hash text, OUT hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7365636172); -- "audit chain", as the server's chainLock
    SELECT coalesce((SELECT a.hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1), repeat('0', 64)) INTO prev_hash;
    hash := encode(sha256(convert_to(length(prev_hash) || ':' || prev_hash || '|', 'UTF8') || p_content), 'hex');
    INSERT INTO audit_log (id, at, actor_kind, actor_id, action, subject_type, subject_id, client_id,
                           before, after, request_id, prev_hash, hash)
    VALUES (p_id, p_at, p_actor_kind, p_actor_id, p_action, p_subject_type, p_subject_id, p_client_id,
            p_before, p_after, p_request_id, prev_hash, hash);
END;
$$;
-- +goose StatementEnd

DROP INDEX audit_log_unsealed;
DROP INDEX audit_log_chain;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_sealed_whole;
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
ALTER TABLE audit_log DROP COLUMN chain_pos;
