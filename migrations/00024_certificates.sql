-- +goose Up
-- Certificates: one row per certificate issued for a certification, when it
-- is earned, renewed or reinstated (server/internal/credential). A
-- certificate is a document: the names and dates it carries are kept as they
-- were at issue, so the PDF, the Open Badges credential and the public
-- verification page always agree.
--
-- verify_id is the public, unguessable id of the verification page
-- (128 random bits, base32); number is the human-readable certificate number
-- (SG-<year>-<serial>). status_index is the certificate's bit in the
-- Bitstring Status List (list status_index / 131072, bit status_index %
-- 131072). refresher_due mirrors the certification while this is its current
-- certificate; ended_at is set when the certification expires and revoked_at
-- when it is revoked (revocation is final: a reinstated certification gets a
-- new certificate). identity_salt salts the hash of the holder's email in
-- the credential.
CREATE SEQUENCE certificate_numbers;
CREATE SEQUENCE credential_status_indexes MINVALUE 0 START 0;
CREATE TABLE certificates (
    id               uuid PRIMARY KEY,
    certification_id uuid NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id),
    program_id       uuid NOT NULL,
    client_id        uuid NOT NULL,
    verify_id        text NOT NULL UNIQUE CHECK (verify_id ~ '^[a-z2-7]{26}$'),
    number           text NOT NULL UNIQUE,
    status_index     bigint NOT NULL UNIQUE CHECK (status_index >= 0),
    holder_name      text NOT NULL,
    program_name     text NOT NULL,
    client_name      text NOT NULL,
    issued_at        timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    reason           text NOT NULL,
    refresher_due    boolean NOT NULL DEFAULT false,
    ended_at         timestamptz,
    revoked_at       timestamptz,
    identity_salt    text NOT NULL
);
CREATE INDEX certificates_certification ON certificates (certification_id, issued_at DESC);
CREATE INDEX certificates_user ON certificates (user_id);
-- The status list reads the set bits of one list.
CREATE INDEX certificates_status ON certificates (status_index)
    WHERE revoked_at IS NOT NULL OR ended_at IS NOT NULL;

-- The development signing key (SKILLGATE_ENV=development without
-- CREDENTIAL_SIGNING_KEY): made once, on first use, so credentials issued by
-- `make run` keep verifying across restarts and replicas. Production refuses
-- to start without a configured key and never reads this table.
CREATE TABLE credential_dev_key (
    id          smallint PRIMARY KEY CHECK (id = 1),
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE credential_dev_key;
DROP TABLE certificates;
DROP SEQUENCE credential_status_indexes;
DROP SEQUENCE certificate_numbers;
