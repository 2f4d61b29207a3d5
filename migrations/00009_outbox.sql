-- +goose Up
-- The transactional outbox: every state change the routing system must hear
-- about is written here in the same transaction as the change, and delivered
-- later by workers (webhooks). seq orders events; id de-duplicates them.
CREATE TABLE outbox_events (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          uuid NOT NULL UNIQUE,
    type        text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    client_id   uuid,
    subject     text NOT NULL,
    payload     jsonb NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX outbox_events_type ON outbox_events (type, seq);

-- +goose Down
DROP TABLE outbox_events;
