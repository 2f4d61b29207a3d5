-- +goose Up
-- A user the identity provider deleted over SCIM (DELETE /Users/{id}):
-- Skillgate keeps the account, deactivated, with its history, but SCIM
-- answers 404 for it from then on and leaves it out of every query, as
-- RFC 7644 section 3.6 asks. A later POST of the same userName brings the
-- account back (the person returns).
ALTER TABLE users ADD COLUMN scim_deleted_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN scim_deleted_at;
