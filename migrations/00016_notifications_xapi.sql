-- +goose Up
-- The in-app inbox, the email queue behind it, and the xAPI statement outbox.

-- One notice in a user's inbox. key makes reminders idempotent: a reminder
-- is created with INSERT ... ON CONFLICT (user_id, key) DO NOTHING, so the
-- same reminder is never created twice, even by two replicas' jobs at once.
-- Keys carry the dates they are about (e.g. cert-expiring-7:<id>:2026-04-01),
-- so a renewed certification gets its reminders again later.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    key        text NOT NULL CHECK (key <> '' AND length(key) <= 200),
    title      text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 4000),
    link       text NOT NULL DEFAULT '' CHECK (length(link) <= 2000),
    due_at     timestamptz,
    created_at timestamptz NOT NULL,
    read_at    timestamptz,
    UNIQUE (user_id, key)
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- One email per notice, queued in the notice's transaction when SMTP is
-- configured (without SMTP nothing is queued). status pending waits for
-- next_attempt_at; sending is leased by a sender until next_attempt_at, after
-- which another sender may take it again.
CREATE TABLE notification_emails (
    id              uuid PRIMARY KEY,
    notification_id uuid NOT NULL UNIQUE REFERENCES notifications (id) ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    to_address      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX notification_emails_due ON notification_emails (next_attempt_at) WHERE status IN ('pending', 'sending');

-- xAPI statements waiting for (or sent to) the Learning Record Store. The
-- statement, with its id, is fixed when it is queued, in the transaction of
-- the learning event, so a retry sends the very same statement and the LRS
-- de-duplicates it. source names the event (e.g. quiz-attempt:<id>) so the
-- same event never queues two statements.
CREATE TABLE xapi_statements (
    id              uuid PRIMARY KEY,
    source          text NOT NULL UNIQUE,
    user_id         uuid NOT NULL REFERENCES users (id),
    verb            text NOT NULL,
    statement       jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status     integer,
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX xapi_statements_due ON xapi_statements (next_attempt_at) WHERE status IN ('pending', 'sending');

-- +goose Down
DROP TABLE xapi_statements;
DROP TABLE notification_emails;
DROP TABLE notifications;
