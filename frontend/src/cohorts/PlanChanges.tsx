import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { onboarding, type Cohort, type PlanChange } from "../api/onboarding";
import { formatDate } from "../lib/format";
import { memberName } from "./logic";

/** One change in words: "Moved Pass Card basics from Mar 9 (day 3) to Mar 11 (day 5)". */
export function changeText(c: PlanChange): string {
  switch (c.change) {
    case "added": return `Added ${c.title}, due ${formatDate(c.to_due)} (day ${c.to_day})`;
    case "removed": return `Removed ${c.title} (was due ${formatDate(c.from_due)})`;
    default: return `Moved ${c.title} from ${formatDate(c.from_due)} (day ${c.from_day}) to ${formatDate(c.to_due)} (day ${c.to_day})`;
  }
}

/** Applying the programs' changed onboarding plans to this cohort: a preview of what moves, for whom, then apply. */
export function PlanChangesPanel({ cohort }: { cohort: Cohort }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState("");
  const preview = useQuery({ queryKey: ["plan-changes", cohort.id], queryFn: () => onboarding.planChanges(cohort.id), enabled: open, staleTime: 0 });
  const apply = useMutation({
    mutationFn: (fingerprint: string) => onboarding.applyPlan(cohort.id, fingerprint),
    onSuccess: (r) => {
      setDone(r.applied ? `Applied ${r.changes.length} change${r.changes.length === 1 ? "" : "s"} for ${r.members} member${r.members === 1 ? "" : "s"}.` : "Nothing left to apply: the tasks already follow the plans.");
      void qc.invalidateQueries({ queryKey: ["cohort-report", cohort.id] });
      void qc.invalidateQueries({ queryKey: ["plan-changes", cohort.id] });
    },
    onError: () => void qc.invalidateQueries({ queryKey: ["plan-changes", cohort.id] }),
  });
  const p = preview.data;
  const byMember = new Map<string, PlanChange[]>();
  for (const c of p?.changes ?? []) byMember.set(c.user_id, [...(byMember.get(c.user_id) ?? []), c]);
  return (
    <section className="panel" aria-labelledby="plan-h">
      <h3 id="plan-h">Changed onboarding plans</h3>
      <p className="hint">When a program's plan changes after members joined, their tasks keep the old plan until you apply it here (or change the calendar).</p>
      {!open && <button type="button" onClick={() => { setDone(""); setOpen(true); }}>Preview plan changes</button>}
      {open && preview.isPending && <p className="loading" role="status">Comparing the members' tasks with the plans…</p>}
      {preview.isError && <p role="alert" className="error">{preview.error.message}</p>}
      {p && p.changes.length === 0 && <p>Every member's tasks follow the programs' current plans.</p>}
      {p && p.changes.length > 0 && (
        <>
          <p><strong>{p.changes.length} change{p.changes.length === 1 ? "" : "s"} for {p.members} member{p.members === 1 ? "" : "s"}</strong> would be applied:</p>
          <ul className="plain plan-changes" aria-label="Changes to apply">
            {[...byMember.values()].map((cs) => (
              <li key={cs[0].user_id}>
                <strong>{memberName({ display_name: cs[0].display_name, email: cs[0].email })}</strong>
                <ul>{cs.map((c) => <li key={`${c.program_id}-${c.kind}-${c.slug}`}>{changeText(c)}<span className="hint"> · {c.program_name}</span></li>)}</ul>
              </li>
            ))}
          </ul>
          {apply.isError && <p role="alert" className="error">{apply.error.message}</p>}
          <button type="button" className="primary" disabled={apply.isPending} onClick={() => apply.mutate(p.fingerprint)}>
            {apply.isPending ? "Applying…" : `Apply ${p.changes.length} change${p.changes.length === 1 ? "" : "s"}`}
          </button>
        </>
      )}
      <p role="status" className="notice-line">{done}</p>
    </section>
  );
}
