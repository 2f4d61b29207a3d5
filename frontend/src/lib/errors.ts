// Turning API errors into what a form shows: each field's message next to the
// field, everything else in one summary above the form.
import { ApiError, type FieldErrors } from "../api/client";

export interface FormErrors {
  /** Messages for the form's own fields, by field name. */
  fields: FieldErrors;
  /** What to show above the form: the message, plus fields the form does not have. */
  summary: string | null;
  /** Fields the API named that the form does not show, as "field: message". */
  other: string[];
}

export const NO_ERRORS: FormErrors = { fields: {}, summary: null, other: [] };

/**
 * Splits an error into the messages a form shows next to its fields (those in
 * known) and a summary for everything else. Field names match exactly or by
 * their first segment ("client_ids.0" goes to "client_ids").
 */
export function formErrors(err: unknown, known: readonly string[]): FormErrors {
  if (!err) return NO_ERRORS;
  if (!(err instanceof ApiError)) {
    return { fields: {}, summary: err instanceof Error ? err.message : String(err), other: [] };
  }
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const [name, msg] of Object.entries(err.fields)) {
    const base = known.includes(name) ? name : name.split(/[.[]/)[0];
    if (known.includes(base)) {
      fields[base] = fields[base] ? `${fields[base]}; ${msg}` : msg;
    } else {
      other.push(`${name}: ${msg}`);
    }
  }
  // The message alone says little when every problem is shown by its field.
  const summary = other.length || !Object.keys(fields).length ? err.message : null;
  return { fields, summary, other };
}

/** One problem in a CSV import: the row (1 is the header; 0 for the whole file), the column, what is wrong. */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

/** Reads the import's "row N.column" (or "row N") field errors, in row order. */
export function csvRowErrors(fields: FieldErrors): RowError[] {
  const out: RowError[] = [];
  for (const [key, message] of Object.entries(fields)) {
    const m = /^row (\d+)(?:\.(.+))?$/.exec(key);
    if (m) out.push({ row: Number(m[1]), column: m[2] ?? "", message });
    else out.push({ row: 0, column: key, message });
  }
  return out.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
}
