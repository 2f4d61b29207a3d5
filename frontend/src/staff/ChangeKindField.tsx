import type { ChangeKind } from "../api/staff";

/** The choice every publish asks for: a minor change, or a material one that sends certified agents to a refresher. */
export function ChangeKindField({ value, onChange, error, errorId }: {
  value: ChangeKind | "";
  onChange: (kind: ChangeKind) => void;
  error?: string;
  errorId: string;
}) {
  return (
    <fieldset className="checks one-col" aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}>
      <legend>What kind of change is this?</legend>
      <label className="check">
        <input type="radio" name="change" value="minor" checked={value === "minor"} onChange={() => onChange("minor")} />
        <span><strong>Minor</strong> — wording, typos, layout. Certified agents are not sent back.</span>
      </label>
      <label className="check">
        <input type="radio" name="change" value="material" checked={value === "material"} onChange={() => onChange("material")} />
        <span><strong>Material</strong> — facts, offers or rules changed. Certified agents get a refresher.</span>
      </label>
      {error && <p id={errorId} className="field-error">{error}</p>}
    </fieldset>
  );
}
