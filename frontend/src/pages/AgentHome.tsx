import { useQueries, useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { learning, type License, type MyCertificationRecord } from "../api/learning";
import { notifications } from "../api/notifications";
import { onboarding } from "../api/onboarding";
import { useSession } from "../auth/session";
import { formatDate, relativeDay } from "../lib/format";
import { linkTarget } from "../notifications/logic";
import { keys } from "../training/hooks";
import { ACTION_LABEL, agenda, certDates, KIND_WORD, licensesToWatch, type Task, type TitleOf } from "./agenda";

/** Licenses expiring within this many days are listed on the home page. */
const LICENSE_DAYS = 60;

const STATE: Record<MyCertificationRecord["state"], { label: string; badge: string }> = {
  in_training: { label: "In training", badge: "off" },
  certified: { label: "Certified", badge: "ok" },
  refresher_due: { label: "Refresher due", badge: "warn" },
  expired: { label: "Expired", badge: "bad" },
  revoked: { label: "Revoked", badge: "bad" },
};

/** Titles of the modules, quizzes and role-plays of the agent's programs, for tasks the API names by slug. */
function useTitles(programIds: string[]): TitleOf {
  const ids = [...new Set(programIds)].sort();
  const results = useQueries({
    queries: ids.flatMap((id) => [
      { queryKey: keys.program(id), queryFn: () => learning.program(id), staleTime: 5 * 60_000 },
      { queryKey: keys.quizzes(id), queryFn: () => learning.quizzes(id), staleTime: 60_000 },
      { queryKey: keys.roleplays(id), queryFn: () => learning.roleplays(id), staleTime: 60_000 },
    ]),
  });
  const titles = new Map<string, string>();
  ids.forEach((id, i) => {
    const [program, quizzes, roleplays] = results.slice(i * 3, i * 3 + 3).map((r) => r.data) as [
      Awaited<ReturnType<typeof learning.program>> | undefined,
      Awaited<ReturnType<typeof learning.quizzes>> | undefined,
      Awaited<ReturnType<typeof learning.roleplays>> | undefined,
    ];
    program?.requirements.modules.forEach((m) => {
      titles.set(`${id}|module|${m.slug}`, m.title);
      titles.set(`${id}|module|core/${m.slug}`, m.title);
    });
    quizzes?.forEach((q) => titles.set(`${id}|quiz|${q.slug}`, q.title));
    roleplays?.forEach((r) => titles.set(`${id}|roleplay|${r.slug}`, r.title));
  });
  return (programId, kind, slug) => titles.get(`${programId}|${kind}|${slug}`);
}

function Due({ task }: { task: Task }) {
  if (!task.due) return null;
  return (
    <span className={task.overdue ? "due-overdue" : undefined}>
      {task.overdue ? "Overdue: was due" : "Due"} {formatDate(task.due)} ({relativeDay(task.due)})
    </span>
  );
}

/** The agent's home: the next task first, then overdue and due-soon work, certifications, licenses and notices. */
export function AgentHome() {
  const { me } = useSession();
  const plans = useQuery({ queryKey: ["my-onboarding"], queryFn: onboarding.mine, staleTime: 0 });
  const certs = useQuery({ queryKey: ["my-certifications"], queryFn: learning.myCertifications, staleTime: 0 });
  const licenses = useQuery({ queryKey: keys.licenses, queryFn: learning.licenses });
  const unread = useQuery({ queryKey: ["notifications", me?.id ?? "", "home"], queryFn: () => notifications.list({ limit: 3, unread: true }), staleTime: 0 });
  const programIds = [...(certs.data ?? []).map((c) => c.program_id), ...(plans.data ?? []).flatMap((p) => p.tasks.map((t) => t.program_id))];
  const titleOf = useTitles(programIds);

  const error = plans.error ?? certs.error;
  if (error) return <p role="alert" className="error">Your home page could not load: {error.message}</p>;
  if (!plans.data || !certs.data) return <p className="loading" role="status">Loading what is next…</p>;

  if (plans.data.length === 0 && certs.data.length === 0) {
    return (
      <section className="panel next-task" aria-labelledby="next-title">
        <h2 id="next-title">Your next task</h2>
        <p className="task-title">You are not enrolled in any program yet.</p>
        <p>
          A trainer or supervisor enrolls you in the client programs you will work on, or adds you to a cohort of new
          hires with a dated onboarding plan. Your modules, quizzes and role-plays then show here, with the first one
          to do at the top. If you expected to be enrolled by now, ask your team lead.
        </p>
        <p><Link to="/licenses">Add your state licenses</Link> meanwhile, so compliance can verify them.</p>
      </section>
    );
  }

  const a = agenda(plans.data, certs.data, titleOf);
  const watch = licensesToWatch(licenses.data ?? [], LICENSE_DAYS);
  return (
    <>
      <section className="panel next-task" aria-labelledby="next-title">
        <h2 id="next-title">Your next task</h2>
        {a.next ? (
          <>
            <p className="task-title">{KIND_WORD[a.next.kind]}: {a.next.title}</p>
            <p>
              {a.next.programName && <>{a.next.programName}{a.next.due ? " · " : ""}</>}
              <Due task={a.next} />
            </p>
            <Link className="go" to={a.next.to}>{ACTION_LABEL[a.next.action]}</Link>
          </>
        ) : (
          <p className="task-title">Nothing is left to do. Well done.</p>
        )}
      </section>

      <div className="home-grid">
        {(a.overdue.length > 0 || a.soon.length > 0) && (
          <section className="panel" aria-labelledby="due-title">
            <h2 id="due-title">Overdue and due soon</h2>
            <ul className="plain">
              {[...a.overdue, ...a.soon].map((t) => (
                <li key={t.key}>
                  <Link to={t.to}>{KIND_WORD[t.kind]}: {t.title}</Link>
                  <span className="hint">{t.programName}{t.programName && t.due ? " · " : ""}<Due task={t} /></span>
                </li>
              ))}
            </ul>
            <p><Link to="/training">All your training</Link></p>
          </section>
        )}

        {certs.data.length > 0 && (
          <section className="panel" aria-labelledby="certs-title">
            <h2 id="certs-title">Certifications</h2>
            <ul className="plain">
              {certs.data.map((c) => (
                <li key={c.id}>
                  <Link to={`/training/${c.program_id}`}>{c.program_name}</Link>{" "}
                  <span className={`badge ${STATE[c.state].badge}`}>{STATE[c.state].label}</span>
                  <span className="hint">{certDates(c)}</span>
                </li>
              ))}
            </ul>
            <p><Link to="/certifications">All your certifications</Link></p>
          </section>
        )}

        {watch.length > 0 && (
          <section className="panel" aria-labelledby="licenses-title">
            <h2 id="licenses-title">Licenses to look at</h2>
            <ul className="plain">
              {watch.map((l) => (
                <li key={l.id}>
                  {l.jurisdiction} {l.class} license {l.license_number}
                  <span className="hint">{licenseLine(l)}</span>
                </li>
              ))}
            </ul>
            <p><Link to="/licenses">Your licenses</Link></p>
          </section>
        )}

        {unread.data && unread.data.unread_count > 0 && (
          <section className="panel" aria-labelledby="notices-title">
            <h2 id="notices-title">Unread notices</h2>
            <ul className="plain">
              {unread.data.notifications.map((n) => {
                const t = linkTarget(n.link);
                return (
                  <li key={n.id}>
                    {t.kind === "app" ? <Link to={t.to}>{n.title}</Link> : n.title}
                    {n.body && <span className="hint notice-body">{n.body}</span>}
                  </li>
                );
              })}
            </ul>
            <p><Link to="/notifications">{unread.data.unread_count === 1 ? "Your notifications" : `All ${unread.data.unread_count} unread notices`}</Link></p>
          </section>
        )}
      </div>
    </>
  );
}

function licenseLine(l: License): string {
  switch (l.status) {
    case "pending": return "Waiting for compliance to verify it.";
    case "rejected": return `Rejected${l.status_note ? `: ${l.status_note}` : ""}. Correct it and submit it again.`;
    case "expired": return `Expired ${formatDate(l.expiry_date)}.`;
    default: return `Expires ${formatDate(l.expiry_date)} (${relativeDay(l.expiry_date)}). Renew it with the state before then.`;
  }
}
