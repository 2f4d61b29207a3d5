import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { authoring } from "../api/authoring";
import { starter as roleplayStarter } from "./roleplayDoc";
import { ApiError } from "../api/client";
import { useClients } from "../api/hooks";
import { Field } from "../components/Field";
import { learning } from "../api/learning";
import { staff } from "../api/staff";
import { keys, usePrograms, useProgram } from "../training/hooks";
import { formatDateTime, formatPercent } from "../lib/format";
import { Enrollments } from "./Enrollments";
import { openQuizDraft } from "./QuizEditor";
import { drafts, libraryPath, useLibraryDrafts } from "../api/drafts";
import { newProgramYaml } from "./programYaml";

/** Module kinds in words. */
export const MODULE_KIND: Record<string, string> = {
  product: "Product", "sales-message": "Sales message", procedure: "Procedure", policy: "Policy", "core-skill": "Core skill",
};

/** The content library: each client with its programs. */
export function Library() {
  const clients = useClients();
  const programs = usePrograms();
  const programDrafts = useLibraryDrafts(undefined, "program");
  const error = clients.error ?? programs.error;
  return (
    <section>
      <h1>Content library</h1>
      <p className="hint">Clients, their programs and the modules, quizzes and role-plays each program requires. Open a module to edit it and publish a new version.</p>
      {error && <p role="alert" className="error">{error.message}</p>}
      {(clients.isPending || programs.isPending) && <p className="loading" role="status">Loading the library…</p>}
      {clients.data?.length === 0 && <p>You are not a member of any client yet.</p>}
      {clients.data && programs.data && (
        <ul className="program-cards">
          {clients.data.map((c) => {
            const ps = programs.data.filter((p) => p.client_id === c.id);
            return (
              <li key={c.id} className="program-card">
                <h2>{c.name}</h2>
                <p className="hint">{c.industry}</p>
                {ps.length === 0 ? <p>No programs yet.</p> : (
                  <ul>
                    {ps.map((p) => (
                      <li key={p.id}><Link to={`/library/programs/${p.id}`}>{p.name}</Link></li>
                    ))}
                  </ul>
                )}
                <ProgramDraftLinks drafts={programDrafts.data?.filter((d) => d.client === c.slug && !d.published) ?? []} />
                <NewProgram client={c.slug} clientName={c.name} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The client's new programs being written, to come back to. */
function ProgramDraftLinks({ drafts: ds }: { drafts: { id: string; path: string }[] }) {
  if (!ds.length) return null;
  return (
    <ul>
      {ds.map((d) => <li key={d.id}><Link to={`/library/program-drafts/${d.id}`}>New program {d.path.split("/")[2]}</Link> <span className="hint">· draft</span></li>)}
    </ul>
  );
}

/** Starts a new program of the client as a draft of content/<client>/<slug>/program.yaml. */
function NewProgram({ client, clientName }: { client: string; clientName: string }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const starter = useMutation({
    mutationFn: () => drafts.start({ client, kind: "program", path: libraryPath.program(client, slug), body: newProgramYaml(slug, name) }),
    onSuccess: (d) => navigate(`/library/program-drafts/${d.id}`),
  });
  if (!open) return <button type="button" onClick={() => setOpen(true)} aria-label={`New program of ${clientName}`}>New program</button>;
  const fields = starter.error instanceof ApiError ? starter.error.fields : {};
  return (
    <form
      noValidate
      aria-label={`New program of ${clientName}`}
      onSubmit={(e) => {
        e.preventDefault();
        starter.mutate();
      }}
    >
      <Field label="Program name" error={undefined}>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Program slug" hint="Lowercase letters, digits and hyphens: its folder in the library, e.g. card-services." error={fields.path ? "Use lowercase letters, digits and hyphens." : undefined}>
        <input value={slug} onChange={(e) => setSlug(e.target.value)} autoComplete="off" />
      </Field>
      {starter.error && !fields.path && <p role="alert" className="error">{starter.error.message}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={starter.isPending || !slug || !name}>{starter.isPending ? "Starting…" : "Start the program"}</button>
        <button type="button" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}

/** Opens the program's program.yaml draft (the open one when there is one) in the program editor. */
function EditProgram({ clientID, slug }: { clientID: string; slug: string }) {
  const navigate = useNavigate();
  const clients = useClients();
  const client = clients.data?.find((c) => c.id === clientID)?.slug;
  const opener = useMutation({
    mutationFn: () => drafts.start({ client: client!, kind: "program", path: libraryPath.program(client!, slug) }),
    onSuccess: (d) => navigate(`/library/program-drafts/${d.id}`),
  });
  return (
    <p>
      <button type="button" disabled={!client || opener.isPending} onClick={() => opener.mutate()}>Edit the program's requirements</button>
      {opener.error && <span role="alert" className="error"> {opener.error.message}</span>}
    </p>
  );
}

/** One program as a trainer sees it: its modules to edit, its quizzes and role-plays to analyse. */
export function LibraryProgram() {
  const { programId = "" } = useParams();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice ?? "";
  const program = useProgram(programId);
  const quizzes = useQuery({ queryKey: ["staff-quizzes", programId], queryFn: () => staff.quizzes(programId) });
  const roleplays = useQuery({ queryKey: keys.roleplays(programId), queryFn: () => learning.roleplays(programId) });
  const error = program.error ?? quizzes.error ?? roleplays.error;
  const clients = useClients();
  const navigate = useNavigate();
  const [editError, setEditError] = useState("");
  const clientSlug = clients.data?.find((c) => c.id === program.data?.client_id)?.slug ?? "";
  const edit = async (slug: string) => {
    setEditError("");
    try {
      navigate(await openQuizDraft(clientSlug, program.data!.slug, slug, programId));
    } catch (e) {
      setEditError((e as Error).message);
    }
  };
  if (error) return <p role="alert" className="error">{error.message}</p>;
  if (!program.data) return <p className="loading" role="status">Loading the program…</p>;
  const p = program.data;
  return (
    <section>
      <p><Link to="/library">← Content library</Link></p>
      <h1>{p.name}</h1>
      <p className="lead">{p.description}</p>
      {notice && <p className="notice-line" role="status">{notice}</p>}
      <EditProgram clientID={p.client_id} slug={p.slug} />
      <p className="hint">
        Certification valid {p.requirements.certification.valid_days} days; refresher opens {p.requirements.certification.refresher_window_days} days
        before expiry; {p.requirements.certification.material_change_grace_days} days' grace after a material change.
      </p>
      <h2>Modules</h2>
      <table className="list">
        <caption className="sr-only">The program's modules, in reading order</caption>
        <thead>
          <tr><th scope="col">Title</th><th scope="col">Kind</th><th scope="col">Minutes</th><th scope="col">Current version</th></tr>
        </thead>
        <tbody>
          {p.requirements.modules.map((m) => (
            <tr key={m.module_id}>
              <td><Link to={`/library/modules/${m.module_id}?program=${p.id}`}>{m.title}</Link>{m.core && <span className="hint"> · core skill, shared by every client</span>}</td>
              <td>{MODULE_KIND[m.kind] ?? m.kind}</td>
              <td>{m.minutes}</td>
              <td>v{m.current_version}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ProgramDrafts programID={p.id} moduleIDs={p.requirements.modules.map((m) => m.module_id)} titles={Object.fromEntries(p.requirements.modules.map((m) => [m.module_id, m.title]))} />
      <NewModule programID={p.id} />
      <div className="columns">
        <div>
          <h2>Quizzes</h2>
          {quizzes.isPending && <p className="loading" role="status">Loading quizzes…</p>}
          {quizzes.data?.length === 0 && <p>This program has no quizzes.</p>}
          <ul>
            {quizzes.data?.map((q) => (
              <li key={q.id}>
                <Link to={`/library/quizzes/${q.id}?program=${p.id}`}>{q.title}</Link>
                <span className="hint"> · v{q.version}, {q.questions} questions, pass at {formatPercent(q.pass_percent)}</span>
                {" "}<Link to={`/library/quizzes/${q.id}/attempts?program=${p.id}`} aria-label={`Attempts at ${q.title}`}>Attempts</Link>
                {clientSlug && <>{" "}<button type="button" className="small" onClick={() => void edit(q.slug)} aria-label={`Edit ${q.title}`}>Edit</button></>}
              </li>
            ))}
          </ul>
          {clientSlug && <NewQuiz client={clientSlug} program={p.slug} programID={p.id} />}
          {editError && <p role="alert" className="error">{editError}</p>}
        </div>
        <div>
          <h2>Role-plays</h2>
          {roleplays.isPending && <p className="loading" role="status">Loading role-plays…</p>}
          {roleplays.data?.length === 0 && <p>This program has no role-plays.</p>}
          <ul>
            {roleplays.data?.map((r) => (
              <li key={r.id}>
                <Link to={`/library/roleplays/${r.id}?program=${p.id}`}>{r.title}</Link>
                {r.signoff && <span className="hint"> · a supervisor signs off</span>}
                {" "}<EditRoleplay programID={p.id} clientID={p.client_id} programSlug={p.slug} slug={r.slug} title={r.title} />
              </li>
            ))}
          </ul>
          <RoleplayDrafts programID={p.id} clientID={p.client_id} programSlug={p.slug} />
          <NewRoleplay programID={p.id} clientID={p.client_id} programSlug={p.slug} />
        </div>
      </div>
      <Enrollments programID={p.id} clientID={p.client_id} programName={p.name} />
    </section>
  );
}

/** Opens the role-play's draft (its open one, or a new one from the published file) in the role-play editor. */
function EditRoleplay({ programID, clientID, programSlug, slug, title }: { programID: string; clientID: string; programSlug: string; slug: string; title: string }) {
  const navigate = useNavigate();
  const client = useClients().data?.find((c) => c.id === clientID);
  const open = useMutation({
    mutationFn: () => drafts.start({ client: client!.slug, kind: "roleplay", path: libraryPath.roleplay(client!.slug, programSlug, slug) }),
    onSuccess: (d) => navigate(`/library/roleplay-drafts/${d.id}?program=${programID}`),
  });
  return (
    <>
      <button type="button" className="link" disabled={!client || open.isPending} aria-label={`Edit ${title}`} onClick={() => open.mutate()}>Edit</button>
      {open.error && <span role="alert" className="error"> {open.error.message}</span>}
    </>
  );
}

/** The open drafts of the program's role-plays (new ones too): unpublished work to come back to. */
function RoleplayDrafts({ programID, clientID, programSlug }: { programID: string; clientID: string; programSlug: string }) {
  const client = useClients().data?.find((c) => c.id === clientID);
  const list = useLibraryDrafts(client?.slug, "roleplay", !!client);
  const prefix = client ? libraryPath.roleplay(client.slug, programSlug, "").replace(/\.roleplay\.yaml$/, "") : "";
  const mine = list.data?.filter((d) => d.path.startsWith(prefix) && !d.path.slice(prefix.length).includes("/")) ?? [];
  if (mine.length === 0) return null;
  return (
    <>
      <h3>Role-play drafts</h3>
      <ul>
        {mine.map((d) => (
          <li key={d.id}>
            <Link to={`/library/roleplay-drafts/${d.id}?program=${programID}`}>{d.path.slice(prefix.length).replace(/\.roleplay\.yaml$/, "")}</Link>
            <span className="hint"> · {d.published ? "changes to a published role-play" : "new"}, saved by {d.updated_by_name} {formatDateTime(d.updated_at)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Starts a new role-play of the program as a library draft from a starter file, opened in the role-play editor. */
function NewRoleplay({ programID, clientID, programSlug }: { programID: string; clientID: string; programSlug: string }) {
  const navigate = useNavigate();
  const client = useClients().data?.find((c) => c.id === clientID);
  const [slug, setSlug] = useState("");
  const starter = useMutation({
    mutationFn: () => drafts.start({ client: client!.slug, kind: "roleplay", path: libraryPath.roleplay(client!.slug, programSlug, slug), body: roleplayStarter("A new role-play") }),
    onSuccess: (d) => navigate(`/library/roleplay-drafts/${d.id}?program=${programID}`),
  });
  const fieldError = starter.error instanceof ApiError ? (starter.error.fields.path ?? starter.error.message) : starter.error?.message;
  return (
    <form className="inline-form" noValidate onSubmit={(e) => { e.preventDefault(); if (slug && client) starter.mutate(); }}>
      <Field label="New role-play's slug" hint="Lowercase letters, digits and hyphens: its file name in the library, e.g. late-fee." error={fieldError}>
        <input value={slug} onChange={(e) => setSlug(e.target.value)} autoComplete="off" />
      </Field>
      <button type="submit" disabled={!slug || !client || starter.isPending}>New role-play</button>
    </form>
  );
}

/** Starts a new quiz of the program as a draft; publishing it lists it in the program too. */
function NewQuiz({ client, program, programID }: { client: string; program: string; programID: string }) {
  const navigate = useNavigate();
  const [slug, setSlug] = useState("");
  const [title, setTitle] = useState("");
  const starter = useMutation({
    mutationFn: () => openQuizDraft(client, program, slug, programID, title || slug),
    onSuccess: (to) => navigate(to),
  });
  return (
    <form className="inline-form" noValidate onSubmit={(e) => { e.preventDefault(); starter.mutate(); }}>
      <Field label="New quiz's slug" hint="Lowercase letters, digits and hyphens, e.g. card-basics." error={starter.error?.message}>
        <input value={slug} onChange={(e) => setSlug(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="New quiz's title">
        <input value={title} onChange={(e) => setTitle(e.target.value)} autoComplete="off" />
      </Field>
      <button type="submit" disabled={starter.isPending || !slug}>{starter.isPending ? "Starting…" : "New quiz"}</button>
    </form>
  );
}

/** Starts a new module of the program's client as a draft; published, it is listed last in the program. */
function NewModule({ programID }: { programID: string }) {
  const navigate = useNavigate();
  const [slug, setSlug] = useState("");
  const starter = useMutation({
    mutationFn: () => authoring.start({ program_id: programID, slug }),
    onSuccess: (d) => navigate(`/library/drafts/${d.draft.id}?program=${programID}`),
  });
  const fieldError = starter.error instanceof ApiError ? starter.error.fields.slug : undefined;
  return (
    <form
      className="inline-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        starter.mutate();
      }}
    >
      <Field label="New module's slug" hint="Lowercase letters, digits and hyphens: its file name in the library, e.g. travel-notices." error={fieldError ?? (starter.error && !fieldError ? starter.error.message : undefined)}>
        <input value={slug} onChange={(e) => setSlug(e.target.value)} autoComplete="off" />
      </Field>
      <button type="submit" disabled={starter.isPending || !slug}>{starter.isPending ? "Starting…" : "Start a new module"}</button>
    </form>
  );
}

/** The drafts open on the program's modules and new modules: unpublished work to come back to. */
function ProgramDrafts({ programID, moduleIDs, titles }: { programID: string; moduleIDs: string[]; titles: Record<string, string> }) {
  const drafts = useQuery({ queryKey: ["module-drafts"], queryFn: authoring.drafts });
  const mine = drafts.data?.filter((d) => d.program_id === programID || (d.module_id && moduleIDs.includes(d.module_id))) ?? [];
  if (!mine.length) return null;
  return (
    <>
      <h2>Drafts</h2>
      <ul>
        {mine.map((d) => (
          <li key={d.id}>
            <Link to={`/library/drafts/${d.id}?program=${programID}`}>{d.module_id ? titles[d.module_id] ?? d.slug : `New module ${d.slug}`}</Link>
            <span className="hint"> · {d.module_id ? `changes to version ${d.base_version}` : "not published yet"}, saved {formatDateTime(d.updated_at)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
