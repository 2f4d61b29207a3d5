// The role-play editor: a library draft of a roleplay.yaml edited through forms (persona, facts, competencies
// and weights, pass rules, turns) over the yaml Document, the turns as a list and as a graph, live checks, and a
// test run that is never recorded. Saved, checked and published through the library drafts API.
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { problemsOf, useLibraryDraft, type LibraryDraft, type LibraryProblem } from "../api/drafts";
import { roleplayPreview, type PreviewProblem, type RoleplayPreview } from "../api/roleplayPreview";
import { ApiError } from "../api/client";
import { Field as LabelledField } from "../components/Field";
import { RunConversation, RunScore, type Answer } from "../training/RoleplayRun";
import { useDraftEditing } from "./draftEditing";
import { listingDrafts } from "./programYaml";
import { MOODS, OUTCOMES, append, edgesOf, freshId, modelOf, parse, removeAt, renameKey, setAt, type Path, type RoleplayModel, type TurnModel } from "./roleplayDoc";

const RoleplayGraph = lazy(() => import("./RoleplayGraph"));

/** How long typing pauses before the text is checked. */
const CHECK_DELAY_MS = 400;

export function RoleplayEditor() {
  const { draftId = "" } = useParams();
  const draft = useLibraryDraft(draftId);
  if (draft.isError) return <p role="alert" className="error">{draft.error.message}</p>;
  if (!draft.data) return <p className="loading" role="status">Loading the draft…</p>;
  return <Editor key={draft.data.id} initial={draft.data} />;
}

function Editor({ initial }: { initial: LibraryDraft }) {
  const [params] = useSearchParams();
  const programId = params.get("program") ?? "";
  const navigate = useNavigate();
  const [text, setText] = useState(initial.body);
  const [problems, setProblems] = useState<PreviewProblem[]>([]);
  const [checking, setChecking] = useState(false);
  const [selected, setSelected] = useState("");
  const [view, setView] = useState<"list" | "graph">(() => (window.matchMedia?.("(max-width: 48rem)").matches ? "list" : "graph"));
  const [liveError, setLiveError] = useState("");
  const [testing, setTesting] = useState(false);
  const back = programId ? `/library/programs/${programId}` : "/library";
  // A new role-play is required by its program: checking and publishing take a program draft that lists it along.
  const listedWith = () => {
    const [, client, program, file] = initial.path.split("/");
    if (file === undefined) return Promise.resolve([]); // a core role-play belongs to no program
    return listingDrafts(client, program, "roleplays", file.replace(/\.roleplay\.yaml$/, ""));
  };
  const editing = useDraftEditing(initial, text, {
    publishWith: listedWith,
    back,
    onReloaded: setText,
    words: {
      checked: (r) => (r.ok ? "Check passed: it would publish." : `Check found ${r.problems.length} problem(s): ${lines(r.problems)}`),
      reloaded: () => "Loaded the latest saved version.",
    },
    onPublished: () => navigate(programId ? `/library/programs/${programId}?published=roleplay` : "/library"),
  });
  const draft = editing.saved ?? initial;
  const { busy, dirty, stale, failure } = editing;
  const refused = failure ? problemsOf(failure.error) : [];
  const failed = failure ? `${failure.step}: ${refused.length ? lines(refused) : failure.error instanceof Error ? failure.error.message : String(failure.error)}` : "";
  const error = failed || liveError;

  const doc = useMemo(() => parse(text), [text]);
  const model = useMemo(() => modelOf(doc), [doc]);
  const yamlErrors = doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? 1, message: e.message.split("\n")[0] }));
  const problemTurns = useMemo(() => new Set(problems.map((p) => p.turn_id).filter((x): x is string => !!x)), [problems]);

  // Live validation: the server's own parser and checks, a moment after typing stops.
  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setChecking(true);
      roleplayPreview.check(draft.client, text, ctl.signal).then(
        (r) => { setProblems(r.problems); setLiveError(""); setChecking(false); },
        (e: unknown) => { if (!ctl.signal.aborted) { setLiveError(e instanceof Error ? e.message : String(e)); setChecking(false); } },
      );
    }, CHECK_DELAY_MS);
    return () => { clearTimeout(timer); ctl.abort(); };
  }, [text, draft.client]);

  /** Applies an edit to the document and keeps the text in step (comments and unknown keys stay). */
  function edit(fn: (d: typeof doc) => void) {
    const d = parse(text);
    fn(d);
    setText(String(d));
  }
  const set = (path: Path, value: unknown) => edit((d) => setAt(d, path, value));

  const discard = () => {
    if (window.confirm("Discard this draft? Your changes are lost; the published role-play stays as it is.")) void editing.discard();
  };

  const turn = model.turns.findIndex((t) => t.id === selected);
  const targets = [...model.turns.map((t) => t.id), ...model.endings.map((e) => e.id)].filter(Boolean);
  const weightSum = model.competencies.reduce((a, c) => a + c.weight, 0);
  const allProblems: PreviewProblem[] = [...yamlErrors, ...problems.filter((p) => !yamlErrors.some((y) => y.line === p.line))];

  return (
    <section className="rp-editor">
      <p><Link to={back}>← Program</Link></p>
      <h1>Role-play: {model.title || "untitled"}</h1>
      <p className="hint">{draft.path} · draft v{draft.version}{draft.updated_by_name ? `, last saved by ${draft.updated_by_name}` : ""}{dirty ? " · unsaved changes" : ""}</p>

      <div className="form-actions rp-editor-actions">
        <button type="button" onClick={() => void editing.save()} disabled={busy || !dirty}>Save</button>
        <button type="button" onClick={() => void editing.check()} disabled={busy}>Check</button>
        <button type="button" onClick={() => void editing.publish()} disabled={busy || allProblems.length > 0}>Publish</button>
        <button type="button" onClick={() => setTesting(true)} disabled={allProblems.length > 0}>Play it now</button>
        <button type="button" className="secondary" onClick={discard} disabled={busy}>Discard draft</button>
      </div>
      <div aria-live="polite">
        {editing.notice && <p role="status">{editing.notice}</p>}
        {error && <p role="alert" className="error">{error}</p>}
        {stale && (
          <p role="alert" className="error">
            Someone saved this draft after you opened it. <button type="button" onClick={() => void editing.reload()}>Load their version</button> (your unsaved changes are lost) or copy your changes first.
            {editing.reloadFailed && <> {editing.reloadFailed}</>}
          </p>
        )}
      </div>

      <section aria-labelledby="rp-problems-title" className="rp-problems">
        <h2 id="rp-problems-title">Problems {checking && <span className="hint">(checking…)</span>}</h2>
        {allProblems.length === 0 ? <p>None: the role-play would import.</p> : (
          <ul>
            {allProblems.map((p, i) => (
              <li key={i}>
                Line {p.line}: {p.message}
                {p.turn_id && <> — <button type="button" className="link" onClick={() => setSelected(p.turn_id ?? "")}>open turn {p.turn_id}</button></>}
              </li>
            ))}
          </ul>
        )}
      </section>

      {testing && <TestRun client={draft.client} text={text} onClose={() => setTesting(false)} />}

      <div className="columns">
        <fieldset>
          <legend>Scenario</legend>
          <Field label="Title" value={model.title} onChange={(v) => set(["title"], v)} />
          <Field label="Customer's name" value={model.persona.name} onChange={(v) => set(["persona", "name"], v)} />
          <Field label="Situation (the agent's briefing)" value={model.persona.situation} area onChange={(v) => set(["persona", "situation"], v)} />
          <MoodSelect label="Starting mood" value={model.persona.mood} onChange={(v) => set(["persona", "mood"], v)} />
        </fieldset>
        <fieldset>
          <legend>Facts on the agent's screen</legend>
          {model.facts.map((f, i) => (
            <div className="rp-row" key={i}>
              <Field label={`Fact ${i + 1} label`} value={f.label} onChange={(v) => edit((d) => renameKey(d, ["facts"], f.label, v))} />
              <Field label={`Fact ${i + 1} value`} value={f.value} onChange={(v) => edit((d) => d.setIn(["facts", f.label], v))} />
              <button type="button" className="secondary" aria-label={`Remove fact ${f.label}`} onClick={() => edit((d) => d.deleteIn(["facts", f.label]))}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => edit((d) => d.setIn(["facts", `Label ${model.facts.length + 1}`], "value"))}>Add a fact</button>
        </fieldset>
      </div>
      <div className="columns">
        <fieldset>
          <legend>Competencies and weights <span className={weightSum === 100 ? "hint" : "error"}>(sum {weightSum} of 100)</span></legend>
          {model.competencies.map((c, i) => (
            <div className="rp-row" key={i}>
              <Field label={`Competency ${i + 1}`} value={c.name} onChange={(v) => edit((d) => renameKey(d, ["competencies"], c.name, v))} />
              <Field label={`Weight of ${c.name}`} type="number" value={String(c.weight)} onChange={(v) => edit((d) => d.setIn(["competencies", c.name], Number(v)))} />
              <button type="button" className="secondary" aria-label={`Remove competency ${c.name}`} onClick={() => edit((d) => d.deleteIn(["competencies", c.name]))}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => edit((d) => d.setIn(["competencies", `competency-${model.competencies.length + 1}`], 10))}>Add a competency</button>
        </fieldset>
        <fieldset>
          <legend>Pass rules</legend>
          <Field label="Overall score needed (%)" type="number" value={String(model.pass.overall)} onChange={(v) => set(["pass", "overall"], Number(v))} />
          <fieldset className="plain">
            <legend>Endings that can pass</legend>
            {OUTCOMES.map((o) => (
              <label key={o} className="check">
                <input type="checkbox" checked={model.pass.outcomes.includes(o)}
                  onChange={(e) => set(["pass", "outcomes"], e.target.checked ? [...model.pass.outcomes, o] : model.pass.outcomes.filter((x) => x !== o))} /> {o}
              </label>
            ))}
          </fieldset>
        </fieldset>
      </div>

      <section aria-labelledby="rp-turns-title">
        <h2 id="rp-turns-title">Turns</h2>
        <div className="view-switch" role="group" aria-label="Show the turns as">
          <button type="button" aria-pressed={view === "list"} onClick={() => setView("list")}>List</button>
          <button type="button" aria-pressed={view === "graph"} onClick={() => setView("graph")}>Graph</button>
        </div>
        <div className="rp-turns">
          <div>
            <TurnList model={model} problems={problemTurns} selected={selected} onSelect={setSelected} />
            <p>
              <button type="button" onClick={() => {
                const id = freshId(model);
                edit((d) => append(d, ["turns"], { id, customer: "What the customer says.", agent: { choice: [{ text: "A reply.", next: model.endings[0]?.id ?? "" }] } }));
                setSelected(id);
              }}>Add a turn</button>
            </p>
          </div>
          {view === "graph" && (
            <Suspense fallback={<p className="loading" role="status">Loading the graph…</p>}>
              <RoleplayGraph model={model} problems={problemTurns} selected={selected} onSelect={setSelected} />
            </Suspense>
          )}
        </div>
        {turn >= 0 && <TurnForm key={selected} index={turn} t={model.turns[turn]} model={model} targets={targets} set={set} edit={edit} onClose={() => setSelected("")}
          onRename={(id) => setSelected(id)} />}
      </section>

      <details className="rp-source">
        <summary>The file (YAML)</summary>
        <label htmlFor="rp-yaml">roleplay.yaml — everything the forms do not cover (endings, free-text rubrics, hang-up, re-read) is edited here</label>
        <textarea id="rp-yaml" rows={24} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      </details>
    </section>
  );
}

/** Problems in one line, as the status and alerts say them. */
function lines(ps: LibraryProblem[]) {
  return ps.map((p) => `line ${p.line}: ${p.message}`).join("; ");
}

function TurnList({ model, problems, selected, onSelect }: { model: RoleplayModel; problems: Set<string>; selected: string; onSelect: (id: string) => void }) {
  return (
    <ol className="rp-turn-list" aria-label="Turns, in file order">
      {model.turns.map((t, i) => (
        <li key={i} className={problems.has(t.id) ? "rp-problem" : ""}>
          <button type="button" className="link" aria-current={t.id === selected ? "true" : undefined} onClick={() => onSelect(t.id)}>
            {t.id || "(no id)"}
          </button>
          {t.id === model.start && <span className="hint"> · start</span>}
          {problems.has(t.id) && <span className="error"> · has problems</span>}
          <span className="hint"> — “{t.customer.slice(0, 60)}{t.customer.length > 60 ? "…" : ""}”</span>
          <span className="hint"> → {edgesOf(t).map((e) => `${e.label}: ${e.to}`).join(", ") || "nowhere"}</span>
        </li>
      ))}
    </ol>
  );
}

function TurnForm({ index, t, model, targets, set, edit, onClose, onRename }: {
  index: number; t: TurnModel; model: RoleplayModel; targets: string[];
  set: (p: Path, v: unknown) => void; edit: (fn: (d: ReturnType<typeof parse>) => void) => void; onClose: () => void; onRename: (id: string) => void;
}) {
  const base: Path = ["turns", index];
  return (
    <fieldset className="rp-turn-form" aria-label={`Turn ${t.id}`}>
      <legend>Turn {t.id}</legend>
      <Field label="Turn id" value={t.id} onChange={(v) => { set([...base, "id"], v); onRename(v); }} />
      <Field label="The customer says" value={t.customer} area onChange={(v) => set([...base, "customer"], v)} />
      <MoodSelect label="Mood when reached (optional)" value={t.mood} optional onChange={(v) => set([...base, "mood"], v)} />
      {t.kind === "free_text" ? (
        <>
          <Field label="Prompt (free-text answer)" value={t.prompt} onChange={(v) => set([...base, "agent", "free_text", "prompt"], v)} />
          <NextSelect label="Next" value={t.next} targets={targets} onChange={(v) => set([...base, "agent", "free_text", "next"], v)} />
          <p className="hint">The rubric is edited in the file below.</p>
        </>
      ) : (
        <>
          {t.options.map((o, j) => {
            const op: Path = [...base, "agent", "choice", j];
            const letter = String.fromCharCode(65 + j);
            return (
              <fieldset key={j} className="rp-option">
                <legend>Option {letter}</legend>
                <Field label={`Option ${letter} text`} value={o.text} area onChange={(v) => set([...op, "text"], v)} />
                <div className="rp-row">
                  <NextSelect label={`Option ${letter} next`} value={o.next} targets={targets} onChange={(v) => set([...op, "next"], v)} />
                  <Field label={`Option ${letter} mood change`} type="number" value={String(o.mood)} onChange={(v) => set([...op, "mood"], Number(v) || undefined)} />
                </div>
                <div className="rp-row">
                  {model.competencies.map((c) => (
                    <Field key={c.name} label={`Option ${letter} points for ${c.name}`} type="number" value={o.points[c.name] === undefined ? "" : String(o.points[c.name])}
                      onChange={(v) => set([...op, "points", c.name], v === "" ? undefined : Number(v))} />
                  ))}
                </div>
                <Field label={`Option ${letter} feedback`} value={o.feedback} onChange={(v) => set([...op, "feedback"], v)} />
                <button type="button" className="secondary" onClick={() => edit((d) => removeAt(d, [...base, "agent", "choice"], j))}>Remove option {letter}</button>
              </fieldset>
            );
          })}
          <button type="button" onClick={() => edit((d) => append(d, [...base, "agent", "choice"], { text: "Another reply.", next: targets[0] ?? "" }))}>Add an option</button>
        </>
      )}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={() => { edit((d) => removeAt(d, ["turns"], index)); onClose(); }}>Delete turn {t.id}</button>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
    </fieldset>
  );
}

/** A test run of the text as it stands, replayed on the server; never recorded. */
function TestRun({ client, text, onClose }: { client: string; text: string; onClose: () => void }) {
  const [choices, setChoices] = useState<string[]>([]);
  const [pv, setPv] = useState<RoleplayPreview | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [scenario] = useState(text); // the text when the run began: edits do not change a run under way

  useEffect(() => {
    roleplayPreview.play(client, scenario, []).then(setPv, (e: Error) => setError(e.message));
  }, [client, scenario]);

  async function answer(a: Answer): Promise<boolean> {
    const next = [...choices, a.option_id ?? a.text ?? ""];
    setBusy(true); setError("");
    try {
      setPv(await roleplayPreview.play(client, scenario, next));
      setChoices(next);
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="rp-test-run" aria-labelledby="rp-test-title">
      <h2 id="rp-test-title">Test run — not recorded</h2>
      <p className="hint">Played as an agent would, scored the same way; it is no attempt and changes no certification.</p>
      <div className="form-actions">
        <button type="button" onClick={() => { setChoices([]); setPv(null); roleplayPreview.play(client, scenario, []).then(setPv, (e: Error) => setError(e.message)); }}>Start over</button>
        <button type="button" className="secondary" onClick={onClose}>Close the test run</button>
      </div>
      {!pv && !error && <p className="loading" role="status">Starting…</p>}
      {pv && !pv.ok && <p role="alert" className="error">The role-play has problems; fix them first.</p>}
      {pv?.ok && pv.persona && (
        <RunConversation busy={busy} error={error} onAnswer={answer}
          run={{ title: pv.title ?? "", persona: pv.persona, facts: pv.facts ?? [], transcript: pv.transcript ?? [], current: pv.current, closing: pv.closing, seq: pv.seq, over: pv.state === "finished" }}>
          {pv.result && <RunScore r={pv.result} title="Test result" reread={(x) => x.target} />}
        </RunConversation>
      )}
      {error && !pv?.ok && <p role="alert" className="error">{error}</p>}
    </section>
  );
}

/** A text (or number) control on the shared labelled Field. */
function Field({ label, value, onChange, area, type = "text" }: { label: string; value: string; onChange: (v: string) => void; area?: boolean; type?: string }) {
  return (
    <LabelledField label={label}>
      {area ? <textarea rows={2} value={value} onChange={(e) => onChange(e.target.value)} />
        : <input type={type} value={value} onChange={(e) => onChange(e.target.value)} />}
    </LabelledField>
  );
}

function MoodSelect({ label, value, onChange, optional }: { label: string; value: string; onChange: (v: string) => void; optional?: boolean }) {
  return (
    <LabelledField label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {(optional || !value) && <option value="">{optional ? "(unchanged)" : "choose…"}</option>}
        {MOODS.map((m) => <option key={m} value={m}>{m}</option>)}
      </select>
    </LabelledField>
  );
}

function NextSelect({ label, value, targets, onChange }: { label: string; value: string; targets: string[]; onChange: (v: string) => void }) {
  return (
    <LabelledField label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {!targets.includes(value) && <option value={value}>{value ? `${value} (no such turn or ending)` : "choose…"}</option>}
        {targets.map((x) => <option key={x} value={x}>{x}</option>)}
      </select>
    </LabelledField>
  );
}
