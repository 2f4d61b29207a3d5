-- +goose Up
-- Webhooks: subscriptions of the routing system (and other integrators) to
-- the outbox's events, and the log of every delivery and attempt.

-- Fan-out marks each outbox event once it has become deliveries. A cursor on
-- seq would skip events: identity values are taken when a row is inserted,
-- not when its transaction commits, so seq 7 can become visible after seq 8.
-- A mark per event cannot skip any; the partial index keeps the unmarked few
-- cheap to find. Events written before webhooks existed have nowhere to go.
ALTER TABLE outbox_events ADD COLUMN webhook_fanned_out_at timestamptz;
UPDATE outbox_events SET webhook_fanned_out_at = now();
CREATE INDEX outbox_events_webhook_pending ON outbox_events (seq) WHERE webhook_fanned_out_at IS NULL;

CREATE TABLE webhook_subscriptions (
    id                uuid PRIMARY KEY,
    url               text NOT NULL CHECK (url ~ '^https?://'),
    description       text NOT NULL DEFAULT '',
    event_types       text[] NOT NULL CHECK (cardinality(event_types) > 0),
    active            boolean NOT NULL DEFAULT true,
    -- The signing secret, AES-256-GCM encrypted (nonce || ciphertext) with
    -- the subscription id as additional data; never stored in the clear.
    secret_ciphertext bytea NOT NULL,
    secret_rotated_at timestamptz NOT NULL,
    created_by_kind   text NOT NULL,
    created_by_id     text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

-- One row per subscription × event. Status pending waits for next_attempt_at;
-- sending is claimed by a worker until next_attempt_at (its lease), after
-- which another worker may take it again.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    event_type       text NOT NULL,
    -- The outbox event's seq (none for pings): with occurred_at, the order
    -- in which a worker first attempts deliveries.
    event_seq        bigint,
    client_id        uuid,
    occurred_at      timestamptz NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, created_at DESC, id);

CREATE TABLE webhook_attempts (
    id               uuid PRIMARY KEY,
    delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at               timestamptz NOT NULL,
    duration_ms      integer NOT NULL,
    status_code      integer,
    error            text NOT NULL DEFAULT '',
    response_excerpt text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, at);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP INDEX outbox_events_webhook_pending;
ALTER TABLE outbox_events DROP COLUMN webhook_fanned_out_at;
