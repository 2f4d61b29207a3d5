-- +goose Up
-- Insurance appointments: a carrier (a client) appoints a licensed producer
-- (an agent) to sell its products in a state for some lines of authority.
-- requested: asked of the carrier, not in force; active: in force from
-- effective_date; terminated: in force until termination_date (exclusive),
-- which may be ahead when a termination is filed in advance.
CREATE TABLE appointments (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id),
    client_id          uuid NOT NULL REFERENCES clients (id),
    jurisdiction       text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    lines_of_authority text[] NOT NULL CHECK (cardinality(lines_of_authority) > 0),
    status             text NOT NULL CHECK (status IN ('requested', 'active', 'terminated')),
    effective_date     date,
    termination_date   date,
    termination_reason text NOT NULL DEFAULT '',
    reference          text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    evidence           text NOT NULL DEFAULT '',
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    -- A request withdrawn before the carrier acted is terminated without an effective date.
    CHECK (status <> 'active' OR effective_date IS NOT NULL),
    CHECK ((status = 'terminated') = (termination_date IS NOT NULL)),
    CHECK (termination_date IS NULL OR effective_date IS NULL OR termination_date >= effective_date)
);
-- One open (requested or active) appointment per agent, carrier and state.
CREATE UNIQUE INDEX appointments_open ON appointments (user_id, client_id, jurisdiction)
    WHERE status IN ('requested', 'active');
-- The gate reads an agent's appointments with a carrier.
CREATE INDEX appointments_user ON appointments (user_id, client_id);
-- Compliance lists a carrier's appointments by state.
CREATE INDEX appointments_client ON appointments (client_id, jurisdiction, status);

-- Every change to an appointment, for the readable history.
CREATE TABLE appointment_events (
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY,
    appointment_id uuid NOT NULL REFERENCES appointments (id),
    at             timestamptz NOT NULL,
    actor_kind     text NOT NULL,
    actor_id       text NOT NULL,
    action         text NOT NULL,
    from_status    text,
    to_status      text NOT NULL,
    note           text NOT NULL DEFAULT ''
);
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, seq);

-- A program's license requirement may also require an active appointment
-- with the program's client (program.yaml `appointment: true`).
ALTER TABLE program_licenses ADD COLUMN appointment boolean NOT NULL DEFAULT false;
-- A licensed program may serve only the states its requirements list
-- (program.yaml `serves_only_listed_states: true`): callers from any other
-- state are not eligible.
ALTER TABLE programs ADD COLUMN serves_only_listed_states boolean NOT NULL DEFAULT false;

-- The change feed learns appointments (like licenses: a change to one of an
-- agent's appointments makes all of the agent's answers stale) and the new
-- program column.
CREATE TRIGGER appointments_eligibility AFTER INSERT OR DELETE ON appointments
    FOR EACH ROW EXECUTE FUNCTION eligibility_license_changed();
CREATE TRIGGER appointments_eligibility_update AFTER UPDATE ON appointments
    FOR EACH ROW WHEN ((OLD.user_id, OLD.client_id, OLD.jurisdiction, OLD.lines_of_authority, OLD.status,
                        OLD.effective_date, OLD.termination_date)
        IS DISTINCT FROM (NEW.user_id, NEW.client_id, NEW.jurisdiction, NEW.lines_of_authority, NEW.status,
                          NEW.effective_date, NEW.termination_date))
    EXECUTE FUNCTION eligibility_license_changed();
CREATE TRIGGER appointments_eligibility_truncate AFTER TRUNCATE ON appointments
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_all_changed();

DROP TRIGGER programs_eligibility_update ON programs;
CREATE TRIGGER programs_eligibility_update AFTER UPDATE ON programs
    FOR EACH ROW WHEN ((OLD.id, OLD.name, OLD.client_id, OLD.serves_only_listed_states)
        IS DISTINCT FROM (NEW.id, NEW.name, NEW.client_id, NEW.serves_only_listed_states))
    EXECUTE FUNCTION eligibility_program_changed();

-- Continuing education. The CE library (content/ce-requirements.yaml, imported
-- with the content): requirements per state and license class and the
-- programs approved as CE courses, kept as the imported document (one row).
CREATE TABLE ce_library (
    id          integer PRIMARY KEY CHECK (id = 1),
    document    jsonb NOT NULL,
    hash        text NOT NULL,
    imported_at timestamptz NOT NULL
);

-- CE credits an agent earned in a state: from completing an approved course
-- (a program, recorded once per course and state) or recorded by compliance
-- with evidence (external).
CREATE TABLE ce_credits (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id),
    jurisdiction    text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    hours           numeric(5, 2) NOT NULL CHECK (hours > 0),
    category        text NOT NULL DEFAULT '',
    completed_on    date NOT NULL,
    source          text NOT NULL CHECK (source IN ('course', 'external')),
    program_id      uuid REFERENCES programs (id),
    title           text NOT NULL CHECK (title <> ''),
    approval_number text NOT NULL DEFAULT '',
    evidence        text NOT NULL DEFAULT '',
    recorded_by     text NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK ((source = 'course') = (program_id IS NOT NULL))
);
CREATE UNIQUE INDEX ce_credits_course ON ce_credits (user_id, program_id, jurisdiction, completed_on) WHERE source = 'course';
CREATE INDEX ce_credits_user ON ce_credits (user_id, jurisdiction, completed_on);

-- +goose Down
DROP TABLE ce_credits;
DROP TABLE ce_library;
DROP TRIGGER programs_eligibility_update ON programs;
CREATE TRIGGER programs_eligibility_update AFTER UPDATE ON programs
    FOR EACH ROW WHEN ((OLD.id, OLD.name, OLD.client_id) IS DISTINCT FROM (NEW.id, NEW.name, NEW.client_id))
    EXECUTE FUNCTION eligibility_program_changed();
DROP TRIGGER appointments_eligibility_truncate ON appointments;
DROP TRIGGER appointments_eligibility_update ON appointments;
DROP TRIGGER appointments_eligibility ON appointments;
ALTER TABLE programs DROP COLUMN serves_only_listed_states;
ALTER TABLE program_licenses DROP COLUMN appointment;
DROP TABLE appointment_events;
DROP TABLE appointments;
