-- +goose Up
-- Images embedded in questions (Moodle XML's <file encoding="base64">,
-- shown as @@PLUGINFILE@@/<name>): stored once per content, by the SHA-256
-- of their bytes, and served at /api/v1/question-files/{sha256}. A quiz
-- version's pool names each question's files by hash; the bytes live here,
-- so loading a version (every attempt does) does not load its images.
-- Rows are never changed: the same hash is the same bytes.
CREATE TABLE question_files (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size         integer NOT NULL CHECK (size >= 0 AND size <= 1048576 AND size = octet_length(data)),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL
);

-- +goose Down
DROP TABLE question_files;
