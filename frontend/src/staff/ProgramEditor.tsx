import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useLibraryDrafts, useLibraryFiles } from "../api/drafts";
import type { ImportReport } from "../api/authoring";
import { learning } from "../api/learning";
import { ErrorSummary, Field } from "../components/Field";
import { useDraftEditing, useDraftText } from "./draftEditing";
import {
  appendItem, edit, items, keyOf, moveItem, parseProgram, problemsByField, removeItem, setSignoff, setValue, slugOf, str,
  type Path,
} from "./programYaml";

const CHANNELS = ["voice", "chat", "email", "sms", "social"];
type ListName = "modules" | "quizzes" | "roleplays";
const LIST_LABEL: Record<ListName, string> = { modules: "Modules to read", quizzes: "Quizzes to pass", roleplays: "Role-plays to pass" };
const ONE: Record<ListName, string> = { modules: "module", quizzes: "quiz", roleplays: "role-play" };
const ONBOARD_KEY: Record<ListName, string> = { modules: "module", quizzes: "quiz", roleplays: "roleplay" };

/** A number typed in a field as YAML wants it: a whole number as a number, anything else as typed (the check says what is wrong). */
const numberOrText = (v: string) => (/^-?\d+$/.test(v.trim()) ? Number(v) : v);
const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);

/**
 * Edits a program's program.yaml draft as a form (through the yaml Document, so unknown keys and comments
 * stay), with the raw text as an escape hatch. Check runs the importer on the client's library with the draft
 * laid over it and shows each problem at the field whose YAML spans its line; Publish imports it.
 */
export function ProgramEditor() {
  const { draftId = "" } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const id = useId();
  const { loaded, draft, text, setText } = useDraftText(draftId);
  const [tab, setTab] = useState<"form" | "raw">("form");
  const client = draft?.client;
  const folder = draft ? draft.path.split("/")[2] : "";
  const files = useLibraryFiles(client);
  const otherDrafts = useLibraryDrafts(client, undefined, !!client);
  const parsed = useMemo(() => parseProgram(text ?? ""), [text]);

  // What the pickers offer: the client's and core modules, the quizzes and role-plays of the program's folder
  // (published, or drafts not published yet).
  const options = useMemo(() => {
    const out: Record<ListName, { ref: string; label: string; draftID?: string }[]> = { modules: [], quizzes: [], roleplays: [] };
    for (const f of files.data ?? []) {
      const parts = f.path.split("/");
      if (parts[0] === "content" && f.path.endsWith(".md")) {
        const slug = parts[parts.length - 1].replace(/\.md$/, "");
        if (parts[1] === "_core") out.modules.push({ ref: `core/${slug}`, label: `${f.title || slug} (core)` });
        else if (parts[1] === client && !out.modules.some((m) => m.ref === slug)) out.modules.push({ ref: slug, label: f.title || slug });
      }
      if (parts[0] === "quizzes" && parts[1] === client && parts[2] === folder && parts.length === 4) {
        const q = /^(.*)\.quiz\.yaml$/.exec(parts[3]);
        const r = /^(.*)\.roleplay\.yaml$/.exec(parts[3]);
        if (q) out.quizzes.push({ ref: q[1], label: f.title || q[1] });
        if (r) out.roleplays.push({ ref: r[1], label: f.title || r[1] });
      }
    }
    for (const d of otherDrafts.data ?? []) {
      const parts = d.path.split("/");
      if (parts[0] !== "quizzes" || parts[2] !== folder || parts.length !== 4) continue;
      const q = /^(.*)\.quiz\.yaml$/.exec(parts[3]);
      const r = /^(.*)\.roleplay\.yaml$/.exec(parts[3]);
      if (q && !out.quizzes.some((x) => x.ref === q[1])) out.quizzes.push({ ref: q[1], label: `${q[1]} (draft, not published)`, draftID: d.id });
      if (r && !out.roleplays.some((x) => x.ref === r[1])) out.roleplays.push({ ref: r[1], label: `${r[1]} (draft, not published)`, draftID: d.id });
    }
    for (const k of Object.keys(out) as ListName[]) out[k].sort((a, b) => a.label.localeCompare(b.label));
    return out;
  }, [files.data, otherDrafts.data, client, folder]);

  const doc = parsed.doc;
  const listed = (name: ListName) => items(doc, [name]).map(slugOf);
  // New quizzes and role-plays the program lists are published together with it.
  const withDrafts = () => (["quizzes", "roleplays"] as ListName[]).flatMap((n) =>
    options[n].filter((o) => o.draftID && (listed(n).includes(o.ref) || str(doc, ["refresher", "quiz"]) === o.ref)).map((o) => o.draftID!));

  const editing = useDraftEditing(draft, text, {
    publishWith: withDrafts,
    back: "/library",
    onReloaded: setText,
    words: {
      saved: (d) => `Draft saved (version ${d.version}). Agents do not see it until it is published.`,
      checked: (c) => (c.ok ? "Checked: it publishes as it is." : `Checked: ${c.problems.length} problem(s) to fix before publishing.`),
      reloaded: (d) => `Reloaded version ${d.version}. Apply your edit again, then save.`,
    },
    onPublished: async (report: ImportReport) => {
      const slug = str(doc, ["slug"]);
      const programs = await learning.programs().catch(() => []);
      const clients = (qc.getQueryData(["clients"]) as { id: string; slug: string }[] | undefined) ?? [];
      const cl = clients.find((c) => c.slug === client);
      const p = programs.find((x) => x.slug === slug && (!cl || x.client_id === cl.id));
      const msg = `Published: ${report.created} created, ${report.changed} changed.`;
      navigate(p ? `/library/programs/${p.id}` : "/library", { state: { notice: msg } });
    },
  });
  const { saved, failure, stale, problems, checked: check, pending } = editing;

  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failure || (check && !check.ok)) alertRef.current?.focus();
  }, [failure, check]);

  if (loaded.error) return <p role="alert" className="error">{loaded.error.message}</p>;
  if (!saved || text === null) return <p className="loading" role="status">Loading the draft…</p>;

  const mine = problems.filter((p) => p.file === saved.path);
  const { byField, rest } = problemsByField(parsed, mine);
  const elsewhere = [...problems.filter((p) => p.file !== saved.path), ...rest.map((r) => ({ ...r, file: saved.path }))];
  const dirty = editing.dirty;
  const syntax = parsed.errors.length > 0;
  const err = (p: Path) => byField[keyOf(p)]?.join(" ");
  const change = (fn: Parameters<typeof edit>[1]) => {
    setText(edit(text, fn));
    editing.forgetCheck();
  };
  const summary = failure && !stale && !problems.length ? (failure.error as Error).message : null;

  return (
    <section className="program-editor">
      <p><Link to="/library">← Content library</Link></p>
      <div className="page-head">
        <h1>{saved.published ? "Edit program" : "New program"}: {str(doc, ["name"]) || str(doc, ["slug"])}</h1>
        <span className="hint">{saved.path} · version {saved.version} of the draft · {saved.published ? "changes the published program" : "not published yet"}</span>
      </div>
      <p role="status" className="notice-line">{editing.notice}</p>
      <div ref={alertRef} tabIndex={-1}>
        {stale && (
          <div role="alert" className="error">
            <p>Someone else saved this draft since you opened it; your save was not applied. {stale.message}</p>
            <ul>
              {Object.entries(stale.fields).filter(([k]) => k !== "If-Match").map(([k, v]) => <li key={k}>{v}</li>)}
            </ul>
            <button type="button" onClick={() => void editing.reload()}>Reload the draft</button>
            {editing.reloadFailed && <span className="error"> {editing.reloadFailed}</span>}
          </div>
        )}
        <ErrorSummary summary={summary} other={elsewhere.map((p) => `${p.file}${p.line ? `, line ${p.line}` : ""}: ${p.message}`)} />
        {problems.length > 0 && !summary && <p role="alert" className="error">Publishing would refuse this program: {problems.length} problem(s), shown at their fields.</p>}
      </div>

      <div className="view-switch" role="group" aria-label="Edit as">
        <button type="button" aria-pressed={tab === "form"} onClick={() => setTab("form")} disabled={syntax && tab === "raw"}>Form</button>
        <button type="button" aria-pressed={tab === "raw"} onClick={() => setTab("raw")}>Raw YAML</button>
      </div>

      {tab === "raw" || syntax ? (
        <div className="field">
          <label htmlFor={`${id}-raw`}>program.yaml</label>
          {syntax && <p className="field-error">The YAML does not parse ({parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}); fix it here to use the form again.</p>}
          <textarea id={`${id}-raw`} className="source" rows={24} spellCheck={false} value={text} onChange={(e) => { setText(e.target.value); editing.forgetCheck(); }} />
          {mine.length > 0 && (
            <ul className="problems">{mine.map((p) => <li key={`${p.line}${p.message}`}>Line {p.line}: {p.message}</li>)}</ul>
          )}
        </div>
      ) : (
        <div className="program-form">
          <fieldset className="panel">
            <legend>About the program</legend>
            <Field label="Name" error={err(["name"])}>
              <input value={str(doc, ["name"])} onChange={(e) => change((d) => d.setIn(["name"], e.target.value))} />
            </Field>
            <Field label="Description" error={err(["description"])} hint="What the program's contacts are about; agents see it on the program page.">
              <textarea rows={3} value={str(doc, ["description"])} onChange={(e) => change((d) => setValue(d, ["description"], e.target.value))} />
            </Field>
            <fieldset className="checks" aria-invalid={err(["channels"]) ? true : undefined}>
              <legend>Channels</legend>
              {CHANNELS.map((c) => {
                const on = items(doc, ["channels"]).includes(c);
                return (
                  <label key={c} className="check">
                    <input type="checkbox" checked={on} onChange={() => change((d) => {
                      const next = on ? items(d, ["channels"]).filter((x) => x !== c) : [...items(d, ["channels"]), c];
                      const n = d.createNode(next);
                      (n as { flow?: boolean }).flow = true;
                      d.setIn(["channels"], n);
                    })} /> {c}
                  </label>
                );
              })}
              {err(["channels"]) && <p className="field-error">{err(["channels"])}</p>}
            </fieldset>
          </fieldset>

          <fieldset className="panel">
            <legend>Requirements, in order</legend>
            {(["modules", "quizzes", "roleplays"] as ListName[]).map((name) => (
              <RequirementList key={name} name={name} doc={doc} options={options[name]} err={err} change={change} />
            ))}
          </fieldset>

          <fieldset className="panel">
            <legend>Licenses</legend>
            {items(doc, ["licenses"]).map((_, i) => (
              <fieldset key={i} className="license" aria-invalid={err(["licenses", i]) ? true : undefined}>
                <legend>License {i + 1}</legend>
                <Field label="License class" hint="A slug, e.g. insurance-producer." error={err(["licenses", i, "class"])}>
                  <input value={str(doc, ["licenses", i, "class"])} onChange={(e) => change((d) => d.setIn(["licenses", i, "class"], e.target.value))} />
                </Field>
                <Field label="Lines of authority" hint="Comma-separated, e.g. life, accident-and-health." error={err(["licenses", i, "lines"])}>
                  <input value={items(doc, ["licenses", i, "lines"]).join(", ")} onChange={(e) => change((d) => flowList(d, ["licenses", i, "lines"], list(e.target.value)))} />
                </Field>
                <Field label="States" hint="Two-letter codes, comma-separated: the callers' states this license is needed for." error={err(["licenses", i, "states"])}>
                  <input value={items(doc, ["licenses", i, "states"]).join(", ")} onChange={(e) => change((d) => flowList(d, ["licenses", i, "states"], list(e.target.value).map((s) => s.toUpperCase())))} />
                </Field>
                <label className="check">
                  <input type="checkbox" checked={get(doc, ["licenses", i, "appointment"]) === true} onChange={(e) => change((d) => setValue(d, ["licenses", i, "appointment"], e.target.checked || undefined))} />
                  {" "}Also needs the client's appointment in the state
                </label>
                {err(["licenses", i]) && <p className="field-error">{err(["licenses", i])}</p>}
                <button type="button" onClick={() => change((d) => removeItem(d, ["licenses"], i))}>Remove license {i + 1}</button>
              </fieldset>
            ))}
            <button type="button" onClick={() => change((d) => appendItem(d, ["licenses"], { class: "", lines: [], states: [] }))}>Add a license</button>
            <label className="check">
              <input type="checkbox" checked={get(doc, ["serves_only_listed_states"]) === true} onChange={(e) => change((d) => setValue(d, ["serves_only_listed_states"], e.target.checked || undefined))} />
              {" "}Serve only callers from the states the licenses list
            </label>
            {err(["serves_only_listed_states"]) && <p className="field-error">{err(["serves_only_listed_states"])}</p>}
            {err(["licenses"]) && <p className="field-error">{err(["licenses"])}</p>}
          </fieldset>

          <fieldset className="panel">
            <legend>Certification</legend>
            {([["valid_days", "Valid for (days)", "How long a certification lasts."],
              ["refresher_window_days", "Refresher opens (days before expiry)", "Less than the days valid."],
              ["material_change_grace_days", "Grace after a material change (days)", "Certified agents stay routable this long while they take the refresher."]] as const).map(([k, label, hint]) => (
              <Field key={k} label={label} hint={hint} error={err(["certification", k])}>
                <input inputMode="numeric" value={str(doc, ["certification", k])} onChange={(e) => change((d) => d.setIn(["certification", k], numberOrText(e.target.value)))} />
              </Field>
            ))}
            {err(["certification"]) && <p className="field-error">{err(["certification"])}</p>}
          </fieldset>

          <Onboarding doc={doc} err={err} change={change} />

          <fieldset className="panel">
            <legend>Refresher</legend>
            <label className="check">
              <input type="checkbox" checked={doc.hasIn(["refresher"])} onChange={(e) => change((d) => (e.target.checked ? d.setIn(["refresher"], d.createNode({ modules: [], quiz: "" })) : d.deleteIn(["refresher"])))} />
              {" "}A refresher asks for its own modules and quiz
            </label>
            {doc.hasIn(["refresher"]) && (
              <>
                <fieldset className="checks" aria-invalid={err(["refresher", "modules"]) ? true : undefined}>
                  <legend>Modules to read again</legend>
                  {listed("modules").length === 0 && <p className="hint">List modules above first.</p>}
                  {listed("modules").map((m) => {
                    const on = items(doc, ["refresher", "modules"]).includes(m);
                    return (
                      <label key={m} className="check">
                        <input type="checkbox" checked={on} onChange={() => change((d) => flowList(d, ["refresher", "modules"], on ? items(d, ["refresher", "modules"]).filter((x) => x !== m) : [...items(d, ["refresher", "modules"]), m]))} />
                        {" "}{labelOf(options.modules, m)}
                      </label>
                    );
                  })}
                  {err(["refresher", "modules"]) && <p className="field-error">{err(["refresher", "modules"])}</p>}
                </fieldset>
                <Field label="Refresher quiz" error={err(["refresher", "quiz"]) ?? err(["refresher"])}>
                  <select value={str(doc, ["refresher", "quiz"])} onChange={(e) => change((d) => d.setIn(["refresher", "quiz"], e.target.value))}>
                    <option value="">Choose a quiz…</option>
                    {options.quizzes.map((q) => <option key={q.ref} value={q.ref}>{q.label}</option>)}
                  </select>
                </Field>
              </>
            )}
          </fieldset>
        </div>
      )}

      {check?.ok && check.report && <CheckReport report={check.report} />}

      <div className="form-actions wrap">
        <button type="button" className="primary" disabled={editing.busy || !dirty} onClick={() => void editing.save()}>
          {pending === "Save" ? "Saving…" : "Save draft"}
        </button>
        <button type="button" disabled={editing.busy} onClick={() => void editing.check()}>
          {pending === "Check" ? "Checking…" : "Check"}
        </button>
        <button type="button" className="primary" disabled={editing.busy || dirty} onClick={() => void editing.publish()}>
          {pending === "Publish" ? "Publishing…" : saved.published ? "Publish the change" : "Publish the program"}
        </button>
        <button type="button" className="danger" disabled={editing.busy} onClick={() => void editing.discard()}>Discard draft</button>
        {dirty ? <span className="hint">Save (or check) before publishing.</span> : <span className="hint">All changes saved.</span>}
      </div>
      <p className="hint">Programs have no minor or material change: publishing changes the requirements at once, as importing the file would. Material changes are a module's.</p>
    </section>
  );
}

function get(doc: ReturnType<typeof parseProgram>["doc"], p: Path): unknown {
  const v = doc.getIn(p);
  return v;
}

function flowList(d: Parameters<Parameters<typeof edit>[1]>[0], p: Path, values: unknown[]) {
  const n = d.createNode(values);
  (n as { flow?: boolean }).flow = true;
  d.setIn(p, n);
}

function labelOf(opts: { ref: string; label: string }[], ref: string) {
  return opts.find((o) => o.ref === ref)?.label ?? ref;
}

type Change = (fn: Parameters<typeof edit>[1]) => void;
type Doc = ReturnType<typeof parseProgram>["doc"];

/** One requirement list (modules, quizzes or role-plays) with a picker to add and buttons to reorder. */
function RequirementList({ name, doc, options, err, change }: {
  name: ListName; doc: Doc; options: { ref: string; label: string }[]; err: (p: Path) => string | undefined; change: Change;
}) {
  const [pick, setPick] = useState("");
  const entries = items(doc, [name]);
  const refs = entries.map(slugOf);
  const free = options.filter((o) => !refs.includes(o.ref));
  return (
    <div className="requirement-list">
      <h3>{LIST_LABEL[name]}</h3>
      {entries.length === 0 && <p className="hint">None.</p>}
      <ol>
        {entries.map((e, i) => {
          const ref = slugOf(e);
          const label = labelOf(options, ref);
          const problem = err([name, i]);
          return (
            <li key={`${ref}-${i}`} className={problem ? "invalid" : undefined}>
              <span className="requirement-label">{label}</span>
              {name === "roleplays" && (
                <label className="check">
                  <input type="checkbox" checked={typeof e === "object" && !!(e as { signoff?: boolean }).signoff} onChange={(ev) => change((d) => setSignoff(d, i, ev.target.checked))} />
                  {" "}A supervisor signs off <span className="sr-only">{label}</span>
                </label>
              )}
              <span className="row-actions">
                <button type="button" aria-label={`Move ${label} up`} disabled={i === 0} onClick={() => change((d) => moveItem(d, [name], i, -1))}>↑</button>
                <button type="button" aria-label={`Move ${label} down`} disabled={i === entries.length - 1} onClick={() => change((d) => moveItem(d, [name], i, 1))}>↓</button>
                <button type="button" aria-label={`Remove ${label}`} onClick={() => change((d) => removeItem(d, [name], i))}>Remove</button>
              </span>
              {problem && <p className="field-error">{problem}</p>}
            </li>
          );
        })}
      </ol>
      {err([name]) && <p className="field-error">{err([name])}</p>}
      <div className="inline-form">
        <Field label={`Add a ${ONE[name]}`}>
          <select value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">Choose…</option>
            {free.map((o) => <option key={o.ref} value={o.ref}>{o.label}</option>)}
          </select>
        </Field>
        <button type="button" disabled={!pick} onClick={() => { change((d) => appendItem(d, [name], pick)); setPick(""); }}>Add {ONE[name]}</button>
      </div>
    </div>
  );
}

/** The onboarding plan: what is due on which day, from the program's own requirements. */
function Onboarding({ doc, err, change }: { doc: Doc; err: (p: Path) => string | undefined; change: Change }) {
  const plan = items(doc, ["onboarding"]) as Record<string, unknown>[];
  const choices = (["modules", "quizzes", "roleplays"] as ListName[]).flatMap((n) =>
    items(doc, [n]).map(slugOf).map((ref) => ({ value: `${ONBOARD_KEY[n]}:${ref}`, label: `${ONE[n]}: ${ref}` })));
  const valueOf = (it: Record<string, unknown>) => {
    for (const k of ["module", "quiz", "roleplay"]) if (it && it[k] !== undefined) return `${k}:${String(it[k])}`;
    return "";
  };
  return (
    <fieldset className="panel">
      <legend>Onboarding plan</legend>
      <p className="hint">What a new hire does on which working day (day 1 is the first).</p>
      {plan.length === 0 && <p className="hint">No plan yet.</p>}
      <ol className="onboarding">
        {plan.map((it, i) => {
          const problem = err(["onboarding", i]);
          return (
            <li key={i} className={problem ? "invalid" : undefined}>
              <Field label={`Day (item ${i + 1})`}>
                <input inputMode="numeric" size={3} value={String(it?.day ?? "")} onChange={(e) => change((d) => d.setIn(["onboarding", i, "day"], numberOrText(e.target.value)))} />
              </Field>
              <Field label={`What is due (item ${i + 1})`}>
                <select value={valueOf(it)} onChange={(e) => change((d) => {
                  const [k, ref] = e.target.value.split(/:(.*)/s);
                  for (const key of ["module", "quiz", "roleplay"]) if (d.hasIn(["onboarding", i, key])) d.deleteIn(["onboarding", i, key]);
                  d.setIn(["onboarding", i, k], ref);
                })}>
                  {!choices.some((c) => c.value === valueOf(it)) && <option value={valueOf(it)}>{valueOf(it) || "Choose…"}</option>}
                  {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
                </select>
              </Field>
              <span className="row-actions">
                <button type="button" aria-label={`Move item ${i + 1} up`} disabled={i === 0} onClick={() => change((d) => moveItem(d, ["onboarding"], i, -1))}>↑</button>
                <button type="button" aria-label={`Move item ${i + 1} down`} disabled={i === plan.length - 1} onClick={() => change((d) => moveItem(d, ["onboarding"], i, 1))}>↓</button>
                <button type="button" aria-label={`Remove item ${i + 1}`} onClick={() => change((d) => removeItem(d, ["onboarding"], i))}>Remove</button>
              </span>
              {problem && <p className="field-error">{problem}</p>}
            </li>
          );
        })}
      </ol>
      {err(["onboarding"]) && <p className="field-error">{err(["onboarding"])}</p>}
      <button type="button" disabled={choices.length === 0} onClick={() => {
        const last = plan.length ? Number(plan[plan.length - 1]?.day ?? 0) || 0 : 0;
        const [k, ref] = choices[0].value.split(/:(.*)/s);
        change((d) => appendItem(d, ["onboarding"], { day: last + 1, [k]: ref }));
      }}>Add a day's item</button>
    </fieldset>
  );
}

function CheckReport({ report }: { report: ImportReport }): ReactNode {
  const moved = report.items.filter((i) => i.outcome !== "unchanged");
  return (
    <section className="panel" aria-label="What publishing would do">
      <h2>What publishing would do</h2>
      {moved.length === 0 ? <p>Nothing would change.</p> : (
        <ul>{moved.map((i) => <li key={`${i.kind}${i.key}`}>{i.kind} {i.key}: {i.outcome}{i.version ? ` (version ${i.version})` : ""}</li>)}</ul>
      )}
    </section>
  );
}
