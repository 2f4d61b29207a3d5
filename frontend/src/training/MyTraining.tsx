import { Link } from "react-router-dom";
import { useClients } from "../api/hooks";
import type { Program } from "../api/learning";
import { MyOnboarding } from "../cohorts/MyOnboarding";
import { KIND_LABEL, ProgressBar } from "./StepStatus";
import { usePrograms, useProgramStanding } from "./hooks";

/** The agent's programs with progress and what is next. */
export function MyTraining() {
  const programs = usePrograms();
  return (
    <section>
      <h1>My training</h1>
      <MyOnboarding />
      {programs.isPending && <p className="loading" role="status">Loading your programs…</p>}
      {programs.isError && <p role="alert" className="error">{programs.error.message}</p>}
      {programs.data?.length === 0 && <p>You are not enrolled in any program yet. Your trainer enrolls you.</p>}
      <ul className="program-cards">
        {programs.data?.map((p) => <ProgramCard key={p.id} program={p} />)}
      </ul>
    </section>
  );
}

function ProgramCard({ program }: { program: Program }) {
  const clients = useClients();
  const s = useProgramStanding(program.id);
  const client = clients.data?.find((c) => c.id === program.client_id)?.name;
  const headingId = `program-${program.id}`;
  return (
    <li className="program-card" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <Link to={`/training/${program.id}`}>{program.name}</Link>
      </h2>
      {client && <p className="hint">{client} · {program.channels.join(", ")}</p>}
      {s.error && <p role="alert" className="error">{s.error.message}</p>}
      {s.isPending && <p className="hint" role="status">Loading progress…</p>}
      {s.standing && (
        <>
          <ProgressBar done={s.standing.done} total={s.standing.total} label={`${program.name}: progress`} />
          {s.standing.next ? (
            <p className="next">
              <strong>Next:</strong> {KIND_LABEL[s.standing.next.kind]} — {s.standing.next.title}
              {s.standing.next.day !== null && <span className="hint"> (plan day {s.standing.next.day})</span>}
            </p>
          ) : (
            <p className="next"><strong>Everything is done.</strong></p>
          )}
          {s.standing.steps.some((x) => x.outdated) && (
            <p className="notice-warn">A module changed since you read it: read it again.</p>
          )}
        </>
      )}
    </li>
  );
}
