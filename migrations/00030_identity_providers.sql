-- +goose Up
-- Sign-in with the center's identity provider (OpenID Connect).

-- Where an account comes from: created in Skillgate (by an admin, a CSV
-- import or the command line) and signing in with a password; created or
-- claimed by an OpenID Connect sign-in; provisioned by the identity
-- provider over SCIM.
ALTER TABLE users ADD COLUMN source text NOT NULL DEFAULT 'password'
    CHECK (source IN ('password', 'oidc', 'scim'));

-- An identity at a provider, linked to one user: the provider's subject is
-- the key (an email address can change hands; a subject does not). A user
-- has at most one identity at each provider.
CREATE TABLE user_identities (
    issuer          text NOT NULL CHECK (issuer <> ''),
    subject         text NOT NULL CHECK (subject <> ''),
    user_id         uuid NOT NULL REFERENCES users (id),
    -- The email address the provider gave when the identity was linked.
    email           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    last_sign_in_at timestamptz,
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- One sign-in on its way through the provider: the state's SHA-256 (the
-- state itself travels through the browser), the nonce and the PKCE
-- verifier, which never leave the server. A row is deleted when the
-- callback spends it, so a state works once.
CREATE TABLE oidc_logins (
    state_hash    text PRIMARY KEY,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- +goose Down
DROP TABLE oidc_logins;
DROP TABLE user_identities;
ALTER TABLE users DROP COLUMN source;
