-- +goose Up
-- A module, like a program, can be an approved CE course: completing it
-- earns the credit once per agent, module, state and day of the latest
-- completion (like a program's, keyed by the certification's day).
ALTER TABLE ce_credits ADD COLUMN module_id uuid REFERENCES modules (id);
ALTER TABLE ce_credits DROP CONSTRAINT ce_credits_check;
ALTER TABLE ce_credits ADD CONSTRAINT ce_credits_course_source CHECK (CASE source
    WHEN 'course' THEN num_nonnulls(program_id, module_id) = 1
    ELSE program_id IS NULL AND module_id IS NULL END);
CREATE UNIQUE INDEX ce_credits_module ON ce_credits (user_id, module_id, jurisdiction, completed_on)
    WHERE module_id IS NOT NULL;

-- Compliance edits the CE requirements in the app. The file seeds them:
-- file_hash is the hash of the library as last read from
-- content/ce-requirements.yaml, so an import applies the file only when the
-- file itself changed; edited_at/edited_by say the requirements were
-- changed in the app since (until the file is imported again).
ALTER TABLE ce_library ADD COLUMN file_hash text;
ALTER TABLE ce_library ADD COLUMN edited_at timestamptz;
ALTER TABLE ce_library ADD COLUMN edited_by text NOT NULL DEFAULT '';
-- Each requirement says whether it is a sample value (compliance clears it
-- once checked against the state's rules); stored libraries take the file's
-- flag. file_hash stays empty, so the next import reads the file again.
UPDATE ce_library SET document = jsonb_set(document, '{requirements}', COALESCE(
    (SELECT jsonb_agg(r || jsonb_build_object('sample', document -> 'sample'))
     FROM jsonb_array_elements(document -> 'requirements') r), '[]'::jsonb));

-- +goose Down
ALTER TABLE ce_library DROP COLUMN edited_by;
ALTER TABLE ce_library DROP COLUMN edited_at;
ALTER TABLE ce_library DROP COLUMN file_hash;
DROP INDEX ce_credits_module;
DELETE FROM ce_credits WHERE module_id IS NOT NULL;
ALTER TABLE ce_credits DROP CONSTRAINT ce_credits_course_source;
ALTER TABLE ce_credits ADD CONSTRAINT ce_credits_check CHECK ((source = 'course') = (program_id IS NOT NULL));
ALTER TABLE ce_credits DROP COLUMN module_id;
