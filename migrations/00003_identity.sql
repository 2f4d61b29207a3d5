-- +goose Up
-- Identity and access: users with one role each, their client memberships,
-- sign-in sessions with rotating refresh tokens, API keys for machines, and
-- the failed-login counters that throttle guessing across every replica.
CREATE TABLE users (
    id             uuid PRIMARY KEY,
    email          text NOT NULL CHECK (email = lower(email) AND email <> ''),
    display_name   text NOT NULL DEFAULT '',
    role           text NOT NULL CHECK (role IN ('agent', 'trainer', 'supervisor', 'compliance', 'admin')),
    -- The routing system's own id for an agent; unique when set.
    external_id    text UNIQUE CHECK (external_id <> ''),
    -- argon2id in PHC string form; '' means no password is set (cannot sign in).
    password_hash  text NOT NULL DEFAULT '',
    active         boolean NOT NULL DEFAULT true,
    deactivated_at timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_role ON users (role, email);

CREATE TABLE memberships (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX memberships_client ON memberships (client_id, user_id);

-- A session is one sign-in: the family of refresh tokens rotated from it.
-- Access tokens name their session; revoking it ends them all at once.
CREATE TABLE sessions (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoke_reason text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE, -- hex SHA-256 of the token; the token itself is never stored
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (name <> ''),
    prefix       text NOT NULL UNIQUE,
    secret_hash  text NOT NULL, -- hex SHA-256 of the secret part
    scopes       text[] NOT NULL,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- One row per login attempt still counted against a key ("account:<email>"
-- or "ip:<address>"); rows older than the throttle window are pruned.
CREATE TABLE login_attempts (
    id  uuid PRIMARY KEY,
    key text NOT NULL,
    at  timestamptz NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, at);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
