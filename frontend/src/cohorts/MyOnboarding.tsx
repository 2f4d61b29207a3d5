import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { onboarding } from "../api/onboarding";
import { formatDate } from "../lib/format";
import { STATUS_LABEL, statusClass, taskLabel } from "./logic";

/** The agent's onboarding plans: each cohort's dated tasks with their status, soonest due first. */
export function MyOnboarding() {
  const plans = useQuery({ queryKey: ["my-onboarding"], queryFn: onboarding.mine, staleTime: 0 });
  if (plans.isError) return <p role="alert" className="error">Cannot load your onboarding plan: {plans.error.message}</p>;
  if (!plans.data?.length) return null;
  return (
    <>
      {plans.data.map((p) => {
        const tasks = [...p.tasks].sort((a, b) => a.due_date.localeCompare(b.due_date) || a.position - b.position);
        const headingId = `plan-${p.cohort_id}`;
        return (
          <section key={p.cohort_id} className="panel" aria-labelledby={headingId}>
            <h2 id={headingId}>Onboarding: {p.cohort_name}</h2>
            <p className="hint">
              {p.done} of {p.tasks.length} tasks done
              {p.status === "behind" ? <> · <span className="badge bad">Behind: {p.overdue} overdue</span></> : <> · <span className="badge ok">On track</span></>}
            </p>
            <ul className="tasks" aria-label={`Onboarding tasks of ${p.cohort_name}, by due date`}>
              {tasks.map((t) => (
                <li key={t.id} className={t.status === "overdue" ? "overdue" : undefined}>
                  <span className="due">Due {formatDate(t.due_date)}</span>
                  <span className="grow"><Link to={t.link}>{taskLabel(t.kind, t.slug, t.title)}</Link> <span className="hint">day {t.day}</span></span>
                  <span className={`badge ${statusClass(t.status)}`}>{STATUS_LABEL[t.status]}</span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
