// CSV made in the browser: the text of a table, and saving it as a file. A chart's or report's numbers
// download this way when the page already holds them (server reports come from the API with the session's token).

/** A CSV text (RFC 4180) of a header and rows; a cell that looks like a formula is neutralized with a leading quote. */
export function csvText(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    let s = String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Saves text as a CSV file from the browser. */
export function saveCSV(name: string, header: string[], rows: (string | number)[][]) {
  const url = URL.createObjectURL(new Blob([csvText(header, rows)], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}
