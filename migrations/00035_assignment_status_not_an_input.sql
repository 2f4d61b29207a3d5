-- An assignment's stored status (the re-decide job's last record) is no
-- input of any answer: the gate, rosters and exports decide at the
-- request's instant from the agent's certification, licenses and
-- appointments. So the job flipping it names nothing in the change feed,
-- and replicas keep what they hold; an assignment made, ended or moved to
-- another agent or program still does.

-- +goose Up
DROP TRIGGER assignments_eligibility_update ON assignments;
CREATE TRIGGER assignments_eligibility_update AFTER UPDATE ON assignments
    FOR EACH ROW WHEN ((OLD.user_id, OLD.program_id) IS DISTINCT FROM (NEW.user_id, NEW.program_id))
    EXECUTE FUNCTION eligibility_pair_changed();

-- +goose Down
DROP TRIGGER assignments_eligibility_update ON assignments;
CREATE TRIGGER assignments_eligibility_update AFTER UPDATE ON assignments
    FOR EACH ROW WHEN ((OLD.user_id, OLD.program_id, OLD.status) IS DISTINCT FROM (NEW.user_id, NEW.program_id, NEW.status))
    EXECUTE FUNCTION eligibility_pair_changed();
