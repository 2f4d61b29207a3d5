import type { Step } from "./plan";
import { formatPercent } from "../lib/format";

/** A requirement's state in words (never colour alone). */
export function StepStatus({ step }: { step: Step }) {
  if (step.done) return <span className="badge ok">Done</span>;
  if (step.outdated) return <span className="badge warn">Changed — read again</span>;
  return <span className="badge off">To do</span>;
}

export const KIND_LABEL: Record<Step["kind"], string> = { module: "Module", quiz: "Quiz", roleplay: "Role-play" };

/** A progress bar with its numbers in text. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <div className="progress">
      <progress max={total || 1} value={done} aria-label={label} />
      <span>{done} of {total} done ({formatPercent(total ? (done / total) * 100 : 0)})</span>
    </div>
  );
}
