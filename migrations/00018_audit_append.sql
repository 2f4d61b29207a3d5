-- +goose Up
-- audit_append appends one row to the hash-chained audit trail in one call:
-- it takes the chain lock (held until the transaction ends), then reads the
-- chain head in a statement of its own (a volatile function's statements
-- each see every commit made before they start, so the head is the newest
-- row committed before the lock was granted), then inserts the row linked
-- to it. The hash is sha256 over the head's "<length>:<hash>|" and p_content,
-- the rest of the row as the server hashes it (audit.hashRow); the server
-- checks the hash returned. One round trip instead of three keeps the lock,
-- which serializes every append on every replica, held for less time.
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

-- +goose Down
DROP FUNCTION audit_append(uuid, timestamptz, text, text, text, text, text, uuid, jsonb, jsonb, text, bytea);
