import { csvRowErrors } from "../lib/errors";
import type { FieldErrors } from "../api/client";

/** The problems of a refused CSV import, one row of the table per problem. */
export function CsvErrors({ fields, message }: { fields: FieldErrors; message: string }) {
  const rows = csvRowErrors(fields);
  return (
    <div role="alert" className="error csv-errors">
      <p>
        <strong>Nothing was imported.</strong> {message}
      </p>
      {rows.length > 0 && (
        <table>
          <caption className="sr-only">Problems in the file</caption>
          <thead>
            <tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Problem</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.row}.${r.column}`}>
                <td>{r.row || "—"}</td>
                <td>{r.column || "—"}</td>
                <td>{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
