-- +goose Up
-- A graded attempt's items (one per drawn question: its key, position,
-- whether it was answered, its mark and the options chosen that earn less
-- than full credit) move from quiz_attempt_items into the attempt row, as a
-- JSON array written by the same UPDATE that grades it. They are written
-- once and only read together, by item analysis. As rows they cost every
-- submission twenty heap tuples, forty index entries and forty foreign-key
-- checks: in the quiz benchmark that insert was about 40% of the database's
-- statement time, and on one connection alone (pgbench) it cost 0.5-0.8 ms
-- more per submission than the same items as JSON.
--
-- Item analysis reads them through quiz_attempts_quiz (quiz_id,
-- submitted_at), the index it already used to count attempts.
ALTER TABLE quiz_attempts ADD COLUMN items jsonb;

UPDATE quiz_attempts a
SET items = COALESCE((
    SELECT jsonb_agg(jsonb_build_object('key', i.question_key, 'position', i.position, 'answered', i.answered,
                                        'mark', i.mark, 'wrong', to_jsonb(i.wrong_choices)) ORDER BY i.position)
    FROM quiz_attempt_items i
    WHERE i.attempt_id = a.id), '[]')
WHERE a.submitted_at IS NOT NULL;

ALTER TABLE quiz_attempts
    ADD CONSTRAINT quiz_attempts_items_when_graded CHECK ((submitted_at IS NULL) = (items IS NULL)),
    ADD CONSTRAINT quiz_attempts_items_array CHECK (jsonb_typeof(items) = 'array');

DROP TABLE quiz_attempt_items;

-- +goose Down
CREATE TABLE quiz_attempt_items (
    attempt_id    uuid NOT NULL REFERENCES quiz_attempts (id),
    quiz_id       uuid NOT NULL REFERENCES quizzes (id),
    question_key  text NOT NULL,
    position      integer NOT NULL,
    answered      boolean NOT NULL,
    mark          numeric(9, 8) NOT NULL CHECK (mark >= 0 AND mark <= 1),
    wrong_choices text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (attempt_id, question_key)
);
CREATE INDEX quiz_attempt_items_quiz ON quiz_attempt_items (quiz_id, question_key);

INSERT INTO quiz_attempt_items (attempt_id, quiz_id, question_key, position, answered, mark, wrong_choices)
SELECT a.id, a.quiz_id, it.key, it.position, it.answered, it.mark, COALESCE(it.wrong, '{}')
FROM quiz_attempts a,
     jsonb_to_recordset(a.items) AS it (key text, position integer, answered boolean, mark numeric, wrong text[])
WHERE a.items IS NOT NULL;

ALTER TABLE quiz_attempts DROP COLUMN items;
