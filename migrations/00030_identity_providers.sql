-- +goose Up
-- Sign-in with the center's identity provider (OpenID Connect) and
-- provisioning from it (SCIM 2.0).

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

-- The identity provider's own id for a user it provisions over SCIM
-- (externalId); users.external_id stays the routing system's id.
ALTER TABLE users ADD COLUMN scim_external_id text UNIQUE CHECK (scim_external_id <> '');

-- SCIM groups: the provider's groups pushed to Skillgate, whose names
-- IDP_GROUP_MAP maps to roles and client memberships.
CREATE TABLE scim_groups (
    id           uuid PRIMARY KEY,
    display_name text NOT NULL UNIQUE CHECK (display_name <> ''),
    external_id  text UNIQUE CHECK (external_id <> ''),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE TABLE scim_group_members (
    group_id uuid NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members (user_id);

-- +goose Down
DROP TABLE scim_group_members;
DROP TABLE scim_groups;
ALTER TABLE users DROP COLUMN scim_external_id;
DROP TABLE oidc_logins;
DROP TABLE user_identities;
ALTER TABLE users DROP COLUMN source;
