import { cloneElement, useId, type ReactElement, type ReactNode } from "react";

interface FieldProps {
  label: string;
  /** The API's message for this field, shown under it and announced with it. */
  error?: string;
  hint?: ReactNode;
  /** One input, select or textarea; it gets the id, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
}

/** A labelled form control with its hint and its error next to it. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && <p id={hintId} className="hint">{hint}</p>}
      {cloneElement(children, { id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}

/** The form-level error: the API's message and the problems no field shows. */
export function ErrorSummary({ summary, other }: { summary: string | null; other?: string[] }) {
  if (!summary && !other?.length) return null;
  return (
    <div role="alert" className="error">
      {summary && <p>{summary}</p>}
      {!!other?.length && (
        <ul>
          {other.map((o) => <li key={o}>{o}</li>)}
        </ul>
      )}
    </div>
  );
}
