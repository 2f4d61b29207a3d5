import { cloneElement, useEffect, useId, useRef, type ReactElement, type ReactNode } from "react";

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

/**
 * Returns a ref for a form: whenever error changes to a new error, focus moves
 * to the first field marked invalid, else to the form's alert, so the person
 * hears and sees what to fix.
 */
export function useFocusOnError(error: unknown) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!error || !ref.current) return;
    const target = ref.current.querySelector<HTMLElement>('[aria-invalid="true"]:not(fieldset), fieldset[aria-invalid="true"] input')
      ?? ref.current.querySelector<HTMLElement>('[role="alert"]');
    if (target) {
      if (target.getAttribute("role") === "alert") target.tabIndex = -1;
      target.focus();
    }
  }, [error]);
  return ref;
}
