import { useId, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { authoring, type ImportReport } from "../api/authoring";
import { useClients } from "../api/hooks";

/**
 * The library as files (admins): download it as an archive in the content/ +
 * quizzes/ layout to keep in git, and upload one — a dry run reports what
 * would be created, changed or refused (with file and line), then apply it.
 */
export function LibraryFiles() {
  const clients = useClients();
  const [client, setClient] = useState("");
  const [format, setFormat] = useState<"tar.gz" | "zip">("tar.gz");
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [notice, setNotice] = useState("");
  const id = useId();

  const download = useMutation({
    mutationFn: () => authoring.exportLibrary(client, format),
    onSuccess: (name) => setNotice(`Downloaded ${name}.`),
  });
  const dryRun = useMutation({
    mutationFn: (f: File) => authoring.importLibrary(f, true),
    onSuccess: (r) => {
      setReport(r);
      setNotice("");
    },
    onError: () => setReport(null),
  });
  const apply = useMutation({
    mutationFn: (f: File) => authoring.importLibrary(f, false),
    onSuccess: (r) => {
      setReport(null);
      setFile(null);
      setNotice(`Imported: ${r.created} created, ${r.changed} changed, ${r.unchanged} unchanged.`);
    },
  });
  const refused = dryRun.error ?? apply.error;
  const problems = refused instanceof ApiError ? Object.entries(refused.fields) : [];
  const moved = report?.items.filter((it) => it.outcome !== "unchanged") ?? [];

  return (
    <section>
      <h1>Library files</h1>
      <p className="lead">The training library as files, in the layout <code>skillgate import</code> reads, to keep in git or move between centers.</p>
      <p role="status" className="notice-line">{notice}</p>

      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setNotice("");
          download.mutate();
        }}
      >
        <h2>Download</h2>
        <div className="columns">
          <div className="field">
            <label htmlFor={`${id}-client`}>What</label>
            <select id={`${id}-client`} value={client} onChange={(e) => setClient(e.target.value)}>
              <option value="">The whole library</option>
              {clients.data?.map((c) => <option key={c.id} value={c.slug}>{c.name} (with the core content)</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-format`}>Format</label>
            <select id={`${id}-format`} value={format} onChange={(e) => setFormat(e.target.value as "tar.gz" | "zip")}>
              <option value="tar.gz">.tar.gz</option>
              <option value="zip">.zip</option>
            </select>
          </div>
        </div>
        {download.error && <p role="alert" className="error">{download.error.message}</p>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={download.isPending}>{download.isPending ? "Preparing…" : "Download the library"}</button>
        </div>
      </form>

      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setNotice("");
          apply.reset();
          if (file) dryRun.mutate(file);
        }}
      >
        <h2>Upload</h2>
        <div className="field">
          <label htmlFor={`${id}-file`}>Library archive (.tar.gz or .zip of content/ and quizzes/)</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".gz,.tgz,.zip,application/gzip,application/zip"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setReport(null);
              dryRun.reset();
              apply.reset();
            }}
          />
          <p className="hint">Nothing is written until you apply the dry run's report. An archive with a problem is refused whole.</p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={!file || dryRun.isPending}>{dryRun.isPending ? "Checking…" : "Check (dry run)"}</button>
        </div>
        {refused && (
          <div role="alert" className="error">
            <p>{refused.message}</p>
            {problems.length > 0 && (
              <ul aria-label="Refused, by file and line">
                {problems.map(([where, what]) => <li key={where}><code>{where}</code>: {what}</li>)}
              </ul>
            )}
          </div>
        )}
      </form>

      {report && file && (
        <section className="panel" aria-labelledby={`${id}-report`}>
          <h2 id={`${id}-report`}>Dry run: {report.created} to create, {report.changed} to change, {report.unchanged} unchanged</h2>
          {moved.length === 0 ? <p>Importing this archive changes nothing.</p> : (
            <table className="list">
              <caption className="sr-only">What the import would create or change</caption>
              <thead><tr><th scope="col">What</th><th scope="col">Kind</th><th scope="col">Outcome</th></tr></thead>
              <tbody>
                {moved.map((it) => (
                  <tr key={`${it.kind}:${it.key}`}>
                    <td>{it.key}{it.version ? ` (version ${it.version})` : ""}</td>
                    <td>{it.kind}</td>
                    <td><span className={`badge ${it.outcome === "created" ? "ok" : "warn"}`}>{it.outcome === "created" ? "created" : "changed"}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {(report.warnings?.length ?? 0) > 0 && (
            <ul aria-label="Warnings">{report.warnings!.map((w) => <li key={w}>{w}</li>)}</ul>
          )}
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => apply.mutate(file)} disabled={apply.isPending || moved.length === 0}>
              {apply.isPending ? "Importing…" : "Apply the import"}
            </button>
          </div>
        </section>
      )}
    </section>
  );
}
