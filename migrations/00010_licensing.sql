-- +goose Up
-- State licenses agents hold (shaped like an insurance producer record),
-- their verification by compliance, and a readable history of every change.
CREATE TABLE licenses (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id),
    npn                text NOT NULL CHECK (npn ~ '^[0-9]{1,10}$'),
    jurisdiction       text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    license_number     text NOT NULL CHECK (license_number <> '' AND length(license_number) <= 40),
    class              text NOT NULL CHECK (class ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    lines_of_authority text[] NOT NULL CHECK (cardinality(lines_of_authority) > 0),
    resident           boolean NOT NULL,
    issue_date         date NOT NULL,
    effective_date     date NOT NULL,
    -- The first day the license no longer holds: valid while effective_date <= day < expiry_date.
    expiry_date        date NOT NULL,
    status             text NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'expired', 'revoked')),
    status_note        text NOT NULL DEFAULT '',
    evidence           text NOT NULL DEFAULT '',
    ce_hours           numeric(6, 2) CHECK (ce_hours >= 0),
    submitted_by       text NOT NULL,
    submitted_at       timestamptz NOT NULL,
    verified_by        text,
    verified_at        timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (effective_date >= issue_date AND expiry_date > effective_date)
);
-- One active (pending or verified) record per license.
CREATE UNIQUE INDEX licenses_active ON licenses (user_id, jurisdiction, class, license_number)
    WHERE status IN ('pending', 'verified');
-- Coverage (the routing gate) reads a user's licenses by jurisdiction.
CREATE INDEX licenses_user ON licenses (user_id, jurisdiction);
-- The verification queue and the expiry job.
CREATE INDEX licenses_status_expiry ON licenses (status, expiry_date);

-- Every change to a license, for the readable history (the audit trail keeps
-- the tamper-evident copy).
CREATE TABLE license_events (
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    id          uuid PRIMARY KEY,
    license_id  uuid NOT NULL REFERENCES licenses (id),
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    text NOT NULL,
    action      text NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    note        text NOT NULL DEFAULT '',
    changed     text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX license_events_license ON license_events (license_id, seq);

-- +goose Down
DROP TABLE license_events;
DROP TABLE licenses;
