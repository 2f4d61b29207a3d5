-- +goose Up
-- Idempotency keys: a client that may retry a write (quiz submit, role-play
-- turn, license submit, assignment) sends an Idempotency-Key header; the
-- first request with a key runs and its answer is kept here, every later
-- request with the same key (from the same principal) gets that answer
-- instead of running again. status is null while the first request runs;
-- owner and locked_until are its lease (a server that dies mid-request lets
-- a retry take over once the lease lapses). request_hash refuses the same
-- key with a different request. A job deletes rows past expires_at.
CREATE TABLE idempotency_keys (
    principal     text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method        text NOT NULL,
    route         text NOT NULL,
    request_hash  bytea NOT NULL,
    owner         uuid NOT NULL,
    locked_until  timestamptz NOT NULL,
    status        integer,
    content_type  text,
    response      bytea,
    created_at    timestamptz NOT NULL,
    completed_at  timestamptz,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
