// Question banks: a client's banks with their exports, and uploading a
// GIFT, Moodle XML or Aiken file into one — a dry run first (what each
// question and quiz would become, problems at file:line), then applying it.
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useClients } from "../api/hooks";
import { staff, type BankFormat, type BankImportReport } from "../api/staff";
import { ErrorSummary, Field } from "../components/Field";
import { formErrors } from "../lib/errors";
import { useNavigate } from "react-router-dom";
import { ApiError } from "../api/client";
import { drafts, libraryPath } from "../api/drafts";
import { usePrograms } from "../training/hooks";
import type { Program } from "../api/learning";

/** Starts a new bank (a GIFT file in a program's folder) as a draft: paste GIFT into it. */
function NewBank({ client, programs }: { client: string; programs: Program[] }) {
  const navigate = useNavigate();
  const [program, setProgram] = useState("");
  const [name, setName] = useState("");
  const [failed, setFailed] = useState("");
  const start = async () => {
    setFailed("");
    try {
      const d = await drafts.start({ client, kind: "bank", path: libraryPath.bank(client, program || programs[0]?.slug || "", name), body: "// GIFT questions: paste them here.\n" });
      navigate(`/library/bank-drafts/${d.id}`);
    } catch (e) {
      setFailed((e as Error).message);
    }
  };
  return (
    <form className="inline-form" noValidate onSubmit={(e) => { e.preventDefault(); void start(); }}>
      <h2>New bank</h2>
      <Field label="Program folder">
        <select value={program} onChange={(e) => setProgram(e.target.value)}>
          {programs.map((p) => <option key={p.id} value={p.slug}>{p.name}</option>)}
        </select>
      </Field>
      <Field label="New bank's name" hint="Lowercase letters, digits and hyphens: its file name (name.gift)." error={failed || undefined}>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <button type="submit" disabled={!name}>New bank</button>
    </form>
  );
}

/** The format a file's name suggests. */
export function formatOf(name: string): BankFormat {
  const n = name.toLowerCase();
  if (n.endsWith(".xml")) return "moodle-xml";
  if (n.endsWith(".txt")) return "aiken";
  return "gift";
}

const OUTCOMES = ["created", "changed", "removed", "unchanged"] as const;

/** The client's question banks, their exports, and the upload of a bank file. */
export function Banks() {
  const clients = useClients();
  const [clientID, setClientID] = useState("");
  useEffect(() => {
    if (!clientID && clients.data?.length) setClientID(clients.data[0].id);
  }, [clientID, clients.data]);
  const banks = useQuery({ queryKey: ["banks", clientID], queryFn: () => staff.banks(clientID), enabled: !!clientID });
  const [notice, setNotice] = useState("");
  const [failed, setFailed] = useState("");
  const programs = usePrograms();
  const navigate = useNavigate();
  const clientSlug = clients.data?.find((c) => c.id === clientID)?.slug ?? "";
  // A bank's file is in the folder of a program whose quiz draws it; GIFT first, then the other formats.
  const editBank = async (bank: string, programID: string) => {
    setFailed("");
    const program = programs.data?.find((p) => p.id === programID)?.slug ?? "";
    for (const ext of ["gift", "xml", "aiken.txt"] as const) {
      try {
        const d = await drafts.start({ client: clientSlug, kind: "bank", path: libraryPath.bank(clientSlug, program, bank, ext) });
        navigate(`/library/bank-drafts/${d.id}`);
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) {
          setFailed((e as Error).message);
          return;
        }
      }
    }
    setFailed(`No file of the bank ${bank} was found in the program's folder.`);
  };
  const download = async (bank: string, format: "gift" | "moodle-xml") => {
    setFailed("");
    try {
      const name = await staff.exportBank(clientID, bank, format);
      setNotice(`Downloaded ${name}.`);
    } catch (e) {
      setFailed((e as Error).message);
    }
  };
  return (
    <section>
      <div className="page-head"><h1>Question banks</h1></div>
      <p className="hint">A client's banks are the GIFT, Moodle XML and Aiken files its quizzes draw questions from. Export one to take it to Moodle, or upload a new version of it: you see what would change before anything does.</p>
      {clients.error && <p role="alert" className="error">{clients.error.message}</p>}
      {!!clients.data?.length && (
        <Field label="Client">
          <select value={clientID} onChange={(e) => { setClientID(e.target.value); setNotice(""); }}>
            {clients.data.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
      )}
      <p role="status" className="notice-line">{notice}</p>
      {failed && <p role="alert" className="error">{failed}</p>}
      {banks.error && <p role="alert" className="error">{banks.error.message}</p>}
      {banks.isPending && clientID && <p className="loading" role="status">Loading banks…</p>}
      {banks.data?.length === 0 && <p>This client's quizzes draw from no bank.</p>}
      {clientSlug && banks.data && <NewBank client={clientSlug} programs={(programs.data ?? []).filter((p) => p.client_id === clientID)} />}
      {!!banks.data?.length && (
        <>
          <ul className="bank-list" aria-label="Banks">
            {banks.data.map((b) => (
              <li key={b.name}>
                <h2><code>{b.name}</code></h2>
                <p>{b.questions === 1 ? "1 question" : `${b.questions} questions`}, drawn by {b.quizzes.map((q) => q.title).join("; ")}</p>
                <div className="row-actions">
                  <button type="button" className="small" onClick={() => void download(b.name, "moodle-xml")}>Export as Moodle XML<span className="sr-only"> ({b.name})</span></button>
                  <button type="button" className="small" onClick={() => void download(b.name, "gift")}>Export as GIFT<span className="sr-only"> ({b.name})</span></button>
                  {clientSlug && <button type="button" className="small" onClick={() => void editBank(b.name, b.quizzes[0]?.program_id ?? "")}>Edit<span className="sr-only"> {b.name}</span></button>}
                </div>
              </li>
            ))}
          </ul>
          <Upload key={clientID} clientID={clientID} banks={banks.data.map((b) => b.name)} onApplied={setNotice} />
        </>
      )}
    </section>
  );
}

function Upload({ clientID, banks, onApplied }: { clientID: string; banks: string[]; onApplied: (msg: string) => void }) {
  const qc = useQueryClient();
  const [bank, setBank] = useState(banks[0] ?? "");
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<BankFormat>("gift");
  const [report, setReport] = useState<BankImportReport | null>(null);
  const run = useMutation({
    mutationFn: async (apply: boolean) => staff.importBank(clientID, bank, format, file!.name, await file!.text(), apply),
    onSuccess: (rep) => {
      setReport(rep);
      if (rep.applied) {
        void qc.invalidateQueries({ queryKey: ["banks", clientID] });
        const changed = rep.quizzes.filter((q) => q.outcome === "changed");
        onApplied(changed.length
          ? `Applied ${rep.file} to ${rep.bank}: ${changed.map((q) => `${q.title} is now at version ${q.version}`).join(", ")}.`
          : `${rep.file} changes nothing in ${rep.bank}.`);
      }
    },
  });
  const errs = formErrors(run.error, ["format", "file"]);
  const changes = report ? report.quizzes.filter((q) => q.outcome === "changed").length : 0;
  return (
    <form className="bank-upload" noValidate onSubmit={(e) => { e.preventDefault(); if (file) run.mutate(false); }}>
      <h2>Upload a bank file</h2>
      <p className="hint">The file replaces the bank's questions in every quiz that draws it. Check it first: nothing changes until you apply it.</p>
      <ErrorSummary summary={errs.summary} other={errs.other} />
      <Field label="Bank">
        <select value={bank} onChange={(e) => { setBank(e.target.value); setReport(null); }}>
          {banks.map((b) => <option key={b} value={b}>{b}</option>)}
        </select>
      </Field>
      <Field label="File" hint="GIFT (.gift), Moodle XML (.xml) or Aiken (.txt), as Moodle exports them." error={errs.fields.file}>
        <input type="file" accept=".gift,.xml,.txt,text/plain,application/xml" onChange={(e) => {
          const f = e.target.files?.[0] ?? null;
          setFile(f);
          setReport(null);
          if (f) setFormat(formatOf(f.name));
        }} />
      </Field>
      <Field label="Format" error={errs.fields.format}>
        <select value={format} onChange={(e) => { setFormat(e.target.value as BankFormat); setReport(null); }}>
          <option value="gift">GIFT</option>
          <option value="moodle-xml">Moodle XML</option>
          <option value="aiken">Aiken</option>
        </select>
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={!file || !bank || run.isPending}>{run.isPending && !run.variables ? "Checking…" : "Check the file"}</button>
      </div>
      {report && <Report report={report} />}
      {report && !report.applied && report.problems.length === 0 && (
        <div className="form-actions">
          <button type="button" className="primary" disabled={run.isPending || changes === 0} onClick={() => run.mutate(true)}>
            {run.isPending && run.variables ? "Applying…" : changes === 0 ? "Nothing to apply" : `Apply: ${changes === 1 ? "1 quiz gets" : `${changes} quizzes get`} a new version`}
          </button>
        </div>
      )}
    </form>
  );
}

function Report({ report }: { report: BankImportReport }) {
  const counts = OUTCOMES.map((o) => [o, report.questions.filter((q) => q.outcome === o).length] as const).filter(([, n]) => n > 0);
  return (
    <section className="import-report" aria-labelledby="report-title">
      <h3 id="report-title">{report.applied ? `Applied ${report.file}` : `What ${report.file} would do`}</h3>
      {report.problems.length > 0 && (
        <div role="alert" className="error">
          <p>{report.problems.length === 1 ? "1 problem" : `${report.problems.length} problems`}: fix {report.problems.length === 1 ? "it" : "them"} in the file and check it again. Nothing was changed.</p>
          <ul>{report.problems.map((p) => <li key={p}><code>{p}</code></li>)}</ul>
        </div>
      )}
      {report.problems.length === 0 && <p>{counts.map(([o, n]) => `${n} ${o}`).join(", ") || "No questions"}.</p>}
      {report.quizzes.length > 0 && (
        <table className="list">
          <caption>Quizzes that draw {report.bank}</caption>
          <thead><tr><th scope="col">Quiz</th><th scope="col">Outcome</th><th scope="col">Version</th></tr></thead>
          <tbody>
            {report.quizzes.map((q) => (
              <tr key={q.id}><td>{q.title}</td><td>{q.outcome === "changed" ? (report.applied ? "new version" : "gets a new version") : "unchanged"}</td><td>{q.version}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {report.questions.length > 0 && (
        <table className="list">
          <caption>Questions</caption>
          <thead><tr><th scope="col">Question</th><th scope="col">Type</th><th scope="col">Line</th><th scope="col">Outcome</th></tr></thead>
          <tbody>
            {report.questions.map((q) => (
              <tr key={q.id} className={`outcome-${q.outcome}`}><td><code>{q.id}</code></td><td>{q.type.replace(/_/g, " ")}</td><td>{q.line ?? ""}</td><td>{q.outcome}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {(report.warnings.length > 0 || report.skipped.length > 0) && (
        <details>
          <summary>{report.warnings.length} warnings, {report.skipped.length} skipped</summary>
          <ul>
            {[...report.warnings, ...report.skipped].map((w) => <li key={w}><code>{w}</code></li>)}
          </ul>
        </details>
      )}
    </section>
  );
}
