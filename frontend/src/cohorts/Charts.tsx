// The cohort's charts, drawn with Recharts (see docs/architecture.md, "Dependencies and why"). Each chart is a
// picture for sighted readers: it is hidden from screen readers, and its numbers are in a table beside it
// (and downloadable as CSV), so nothing is only in the picture.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { CohortMatrix, CohortStats, TaskStatus } from "../api/onboarding";
import { wholePercent } from "../lib/format";
import { saveCSV } from "../lib/csv";
import { percent, score, STATUS_LABEL, statusByDay } from "./logic";

/** Status colours of the charts' bars (the heat map's, darker, for 3:1 against white). */
const FILL: Record<TaskStatus, string> = { done: "#15803d", in_progress: "#b45309", overdue: "#b42318", not_started: "#94a3b8" };

/** A chart with its caption; the picture is aria-hidden (its numbers are in the table the caption points to). */
function Figure({ id, title, note, height, children }: { id: string; title: string; note: string; height: number; children: React.ReactElement }) {
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}><strong>{title}</strong> <span className="hint">{note}</span></figcaption>
      <div aria-hidden="true" style={{ width: "100%", height }}>
        <ResponsiveContainer width="100%" height="100%">{children}</ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Per plan day, the members' tasks of that day by status: where the cohort stands along its plan. */
export function PlanDaysChart({ m }: { m: CohortMatrix }) {
  const days = statusByDay(m.columns, m.rows);
  if (days.length === 0 || m.rows.length === 0) return null;
  const data = days.map((d) => ({ ...d, name: `Day ${d.day}` }));
  const order: TaskStatus[] = ["done", "in_progress", "overdue", "not_started"];
  return (
    <div className="chart-block">
      <Figure id="days-chart" title="The plan, day by day" note="Members' tasks of each plan day, by status (numbers in the table below)." height={260}>
        <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fontSize: 12 }} interval="preserveStartEnd" />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          {order.map((s) => <Bar key={s} dataKey={s} name={STATUS_LABEL[s]} stackId="s" fill={FILL[s]} isAnimationActive={false} />)}
        </BarChart>
      </Figure>
      <details>
        <summary>The plan day by day as a table</summary>
        <div className="table-scroll">
          <table className="list wrap-head">
            <caption>Members' tasks per plan day, by status</caption>
            <thead><tr><th scope="col">Plan day</th>{order.map((s) => <th scope="col" key={s}>{STATUS_LABEL[s]}</th>)}</tr></thead>
            <tbody>
              {days.map((d) => <tr key={d.day}><th scope="row">Day {d.day}</th>{order.map((s) => <td key={s}>{d[s]}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      </details>
      <button type="button" onClick={() => saveCSV(`cohort-${m.cohort_id}-plan-days.csv`, ["plan day", ...order], days.map((d) => [d.day, ...order.map((s) => d[s])]))}>
        Download plan days CSV
      </button>
    </div>
  );
}

/** Quiz pass rates and role-play competency averages as bar charts (the tables beside them hold the numbers). */
export function StatsCharts({ st, programName }: { st: CohortStats; programName: (id: string) => string }) {
  const quizzes = st.quizzes.filter((q) => q.pass_rate !== null).map((q) => ({ name: q.title || q.quiz, rate: wholePercent((q.pass_rate ?? 0) * 100) }));
  const comps = st.competencies.map((c) => ({ name: `${c.title || c.roleplay}: ${c.competency}`, score: wholePercent(c.average) }));
  return (
    <>
      {quizzes.length > 0 && (
        <Figure id="quiz-chart" title="Quiz pass rates" note="Passed of those who attempted, in percent (numbers in the table below)." height={Math.max(120, 48 * quizzes.length + 40)}>
          <BarChart data={quizzes} layout="vertical" accessibilityLayer={false} margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
            <YAxis type="category" dataKey="name" width={150} tick={{ fontSize: 12 }} />
            <Tooltip formatter={(v) => `${v}%`} />
            <Bar dataKey="rate" name="Pass rate" fill="#0b5cad" isAnimationActive={false} />
          </BarChart>
        </Figure>
      )}
      {comps.length > 0 && (
        <Figure id="comp-chart" title="Role-play competency averages" note="Mean score per competency, in percent (numbers in the table below)." height={Math.max(120, 40 * comps.length + 40)}>
          <BarChart data={comps} layout="vertical" accessibilityLayer={false} margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
            <YAxis type="category" dataKey="name" width={150} tick={{ fontSize: 12 }} />
            <Tooltip formatter={(v) => `${v}%`} />
            <Bar dataKey="score" name="Mean score" fill="#6d28d9" isAnimationActive={false} />
          </BarChart>
        </Figure>
      )}
      <button type="button" onClick={() => saveCSV(`cohort-${st.cohort_id}-quizzes-and-roleplays.csv`,
        ["kind", "program", "name", "detail", "attempted or runs", "passed", "rate or mean score"],
        [
          ...st.quizzes.map((q) => ["quiz", programName(q.program_id), q.title || q.quiz, "", q.attempted, q.passed, percent(q.pass_rate)]),
          ...st.competencies.map((c) => ["roleplay", programName(c.program_id), c.title || c.roleplay, c.competency, c.runs, "", score(c.average)]),
        ])}>
        Download quizzes and role-plays CSV
      </button>
    </>
  );
}
