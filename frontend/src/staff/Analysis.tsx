import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { staff } from "../api/staff";
import { barPercent, hardestFirst } from "./logic";
import { formatPercent, wholePercent } from "../lib/format";
import { saveCSV } from "../lib/csv";

/** A horizontal bar with its value in text; the marker shows a minimum. */
export function Bar({ value, label, minimum }: { value: number | null; label: string; minimum?: number | null }) {
  const pct = barPercent(value);
  return (
    <div className="bar" role="img" aria-label={`${label}: ${value === null ? "no data" : formatPercent(value)}${minimum ? `, minimum ${formatPercent(minimum)}` : ""}`}>
      <span className={`bar-fill${minimum && value !== null && value < minimum ? " low" : ""}`} style={{ width: `${pct}%` }} />
      {minimum ? <span className="bar-min" style={{ left: `${barPercent(minimum)}%` }} aria-hidden="true" /> : null}
    </div>
  );
}

/** Question text without markdown's emphasis and code marks (the table shows plain text). */
export function plainText(s: string): string {
  return s.replace(/\*\*|__|`/g, "");
}

function BackToProgram() {
  const [params] = useSearchParams();
  const programID = params.get("program");
  return <p>{programID ? <Link to={`/library/programs/${programID}`}>← Program</Link> : <Link to="/library">← Content library</Link>}</p>;
}

function AttemptsLink({ quizID }: { quizID: string }) {
  const [params] = useSearchParams();
  const programID = params.get("program");
  return <p><Link to={`/library/quizzes/${quizID}/attempts${programID ? `?program=${programID}` : ""}`}>Every attempt at this quiz</Link></p>;
}

/** Item analysis of a quiz: the questions people get wrong, hardest first. */
export function QuizAnalysisPage() {
  const { quizId = "" } = useParams();
  const a = useQuery({ queryKey: ["quiz-analysis", quizId], queryFn: () => staff.analysis(quizId) });
  return (
    <section>
      <BackToProgram />
      <h1>Quiz item analysis</h1>
      <AttemptsLink quizID={quizId} />
      {a.error && <p role="alert" className="error">{a.error.message}</p>}
      {a.isPending && <p className="loading" role="status">Loading the analysis…</p>}
      {a.data && (
        <>
          <p className="lead">{a.data.attempts} graded {a.data.attempts === 1 ? "attempt" : "attempts"} over every version. Hardest questions first.</p>
          {a.data.questions.length > 0 && (
            <p>
              <button type="button" onClick={() => saveCSV(`quiz-${quizId}-item-analysis.csv`,
                ["question", "question id", "type", "drawn", "answered", "percent correct", "fully right", "most chosen wrong answer", "chosen"],
                hardestFirst(a.data.questions).map((q) => [q.text ? plainText(q.text) : "", q.question_id, q.type ?? "", q.drawn, q.answered,
                  q.answered ? wholePercent(q.percent_correct ?? 0) : "", q.fully_correct,
                  q.most_chosen_wrong ? (q.most_chosen_wrong.text ?? q.most_chosen_wrong.option_id) : "", q.most_chosen_wrong?.count ?? ""]))}>
                Download item analysis CSV
              </button>
            </p>
          )}
          {a.data.questions.length === 0 ? <p>No question has been answered yet.</p> : (
            <table className="list analysis">
              <caption className="sr-only">Questions by percent correct, lowest first</caption>
              <thead>
                <tr>
                  <th scope="col">Question</th><th scope="col">Drawn</th><th scope="col">Answered</th>
                  <th scope="col">Percent correct</th><th scope="col">Fully right</th><th scope="col">Most chosen wrong answer</th>
                </tr>
              </thead>
              <tbody>
                {hardestFirst(a.data.questions).map((q) => (
                  <tr key={q.question_id}>
                    <td>{q.text ? plainText(q.text) : q.question_id}<br /><span className="hint">{q.question_id}{q.type ? ` · ${q.type.replace(/_/g, " ")}` : ""}</span></td>
                    <td>{q.drawn}</td>
                    <td>{q.answered}</td>
                    <td className="bar-cell">
                      {q.answered ? <><Bar value={q.percent_correct} label="Percent correct" /> <span>{formatPercent(q.percent_correct)}</span></> : <span className="hint">not answered</span>}
                    </td>
                    <td>{q.fully_correct}</td>
                    <td>{q.most_chosen_wrong ? <>{q.most_chosen_wrong.text ?? q.most_chosen_wrong.option_id} <span className="hint">({q.most_chosen_wrong.count}×)</span></> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** A role-play's runs per competency, as bars against the scenario's minimums. */
export function CompetencyPage() {
  const { roleplayId = "" } = useParams();
  const s = useQuery({ queryKey: ["roleplay-competencies", roleplayId], queryFn: () => staff.competencies(roleplayId) });
  return (
    <section>
      <BackToProgram />
      {s.error && <p role="alert" className="error">{s.error.message}</p>}
      {s.isPending && <p className="loading" role="status">Loading the competencies…</p>}
      {s.data && (
        <>
          <h1>{s.data.title}</h1>
          <p className="lead">
            {s.data.runs} scored {s.data.runs === 1 ? "run" : "runs"}, {s.data.passed} passed on their score
            {s.data.mean_overall !== null && <>; mean overall {formatPercent(s.data.mean_overall)}</>}.
          </p>
          {s.data.competencies.length > 0 && (
            <p>
              <button type="button" onClick={() => saveCSV(`roleplay-${roleplayId}-competencies.csv`,
                ["competency", "mean score", "runs that exercised it", "minimum", "under the minimum"],
                s.data.competencies.map((c) => [c.competency, c.mean_score === null ? "" : wholePercent(c.mean_score), c.exercised,
                  c.minimum === null ? "" : wholePercent(c.minimum), c.minimum === null ? "" : c.below_minimum]))}>
                Download competencies CSV
              </button>
            </p>
          )}
          {s.data.competencies.length === 0 ? <p>Nobody has finished this role-play yet.</p> : (
            <table className="list competency-chart">
              <caption>Mean score per competency (the line marks the minimum to pass)</caption>
              <thead>
                <tr><th scope="col">Competency</th><th scope="col">Mean score</th><th scope="col">Runs that exercised it</th><th scope="col">Under the minimum</th></tr>
              </thead>
              <tbody>
                {s.data.competencies.map((c) => (
                  <tr key={c.competency}>
                    <th scope="row" className="cap">{c.competency.replace(/-/g, " ")}</th>
                    <td className="bar-cell wide">
                      {c.mean_score === null ? <span className="hint">not exercised yet</span> : (
                        <><Bar value={c.mean_score} minimum={c.minimum} label={`${c.competency} mean score`} /> <span>{formatPercent(c.mean_score)}</span></>
                      )}
                    </td>
                    <td>{c.exercised}</td>
                    <td>{c.minimum === null ? <span className="hint">no minimum</span> : <>{c.below_minimum} <span className="hint">(minimum {formatPercent(c.minimum)})</span></>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
