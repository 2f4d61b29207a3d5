import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { learning, type TOCEntry, type VersionDiff } from "../api/learning";
import { formatDate, formatDateTime } from "../lib/format";
import { keys } from "./hooks";

/** A module to read: table of contents, the text, mark complete (pinned to this version), what changed. */
export function ModuleReader() {
  const { programId = "", moduleId = "" } = useParams();
  const qc = useQueryClient();
  const mod = useQuery({ queryKey: keys.module(moduleId), queryFn: () => learning.module(moduleId), staleTime: 0 });
  const progress = useQuery({ queryKey: keys.progress(programId), queryFn: () => learning.progress(programId), staleTime: 0 });
  const mine = progress.data?.modules.find((m) => m.module_id === moduleId);
  const version = mod.data?.version.number;

  // Reading starts when the text is on screen.
  useEffect(() => {
    if (version) void learning.openModule(moduleId).catch(() => {});
  }, [moduleId, version]);

  const complete = useMutation({
    mutationFn: (v: number) => learning.completeModule(moduleId, v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.progress(programId) });
      void qc.invalidateQueries({ queryKey: ["programs"] });
    },
  });

  const location = useLocation();
  const bodyRef = useRef<HTMLDivElement>(null);
  const active = useActiveHeading(bodyRef, mod.data?.version.toc ?? []);
  // On a phone the contents are a drop-down: Escape or a tap elsewhere closes it.
  const [tocOpen, setTocOpen] = useState(false);
  const tocRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!tocOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setTocOpen(false);
      tocRef.current?.querySelector<HTMLButtonElement>(".toc-toggle")?.focus();
    };
    const onClick = (e: MouseEvent) => {
      if (!tocRef.current?.contains(e.target as Node)) setTocOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    };
  }, [tocOpen]);
  useEffect(() => {
    if (!mod.data || !location.hash) return;
    const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el) {
      el.scrollIntoView();
      el.setAttribute("tabindex", "-1");
      el.focus({ preventScroll: true });
    }
  }, [mod.data, location.hash]);

  if (mod.isError) return <p role="alert" className="error">{mod.error.message}</p>;
  if (!mod.data) return <p className="loading" role="status">Loading the module…</p>;
  const v = mod.data.version;
  const completedThis = mine?.completed_version === v.number || (complete.isSuccess && complete.variables === v.number);
  const readBefore = mine?.completed_version && mine.completed_version < v.number ? mine.completed_version : null;

  return (
    <div className="reader">
      <nav className={tocOpen ? "toc open" : "toc"} aria-label="Contents of this module" ref={tocRef}>
        <p><Link to={`/training/${programId}`}>← Program</Link></p>
        <button type="button" className="toc-toggle" aria-expanded={tocOpen} aria-controls="module-toc" onClick={() => setTocOpen((o) => !o)}>
          Contents
        </button>
        <h2 className="toc-title">Contents</h2>
        <ol id="module-toc">
          {v.toc.filter((t) => t.level <= 3).map((t) => (
            <li key={t.id} className={`lvl${t.level}`}>
              <a href={`#${t.id}`} aria-current={active === t.id ? "location" : undefined} onClick={(e) => {
                e.preventDefault();
                setTocOpen(false);
                const el = document.getElementById(t.id);
                el?.scrollIntoView();
                el?.setAttribute("tabindex", "-1");
                el?.focus({ preventScroll: true });
                history.replaceState(null, "", `#${t.id}`);
              }}>{t.text}</a>
            </li>
          ))}
        </ol>
      </nav>
      <article className="reading" aria-label={v.title}>
        <header className="reading-head">
          <p className="hint">
            {mod.data.core ? "Core skill" : mod.data.kind} · {v.minutes} min · version {v.number} of {formatDate(v.created_at)}
            {v.change_kind === "material" && v.number > 1 && <> · <strong>material change</strong></>}
          </p>
          {v.summary && <p className="lead">{v.summary}</p>}
        </header>
        {readBefore && <WhatChanged moduleID={moduleId} from={readBefore} to={v.number} open />}
        {!readBefore && v.number > 1 && <WhatChanged moduleID={moduleId} from={v.number - 1} to={v.number} />}
        <div ref={bodyRef} className="module-body" dangerouslySetInnerHTML={{ __html: v.html }} />
        <footer className="complete-bar">
          {completedThis ? (
            <p role="status"><span className="badge ok">Completed</span> You completed version {v.number}
              {mine?.completed_at && <> on {formatDateTime(mine.completed_at)}</>}.</p>
          ) : (
            <>
              <button type="button" className="primary" disabled={complete.isPending} onClick={() => complete.mutate(v.number)}>
                {complete.isPending ? "Saving…" : `Mark version ${v.number} complete`}
              </button>
              {mine?.status === "outdated" && <p className="notice-warn">You completed version {mine.completed_version}; a material change came since. Read what changed and mark this version complete.</p>}
              {complete.isError && <p role="alert" className="error">{complete.error.message}</p>}
            </>
          )}
        </footer>
      </article>
    </div>
  );
}

/** The id of the heading the reader is in: the last one scrolled past the top of the window. */
function useActiveHeading(body: React.RefObject<HTMLDivElement | null>, toc: TOCEntry[]) {
  const [active, setActive] = useState<string | null>(toc[0]?.id ?? null);
  useEffect(() => {
    if (!toc.length) return;
    const update = () => {
      let current = toc[0].id;
      for (const t of toc) {
        const el = document.getElementById(t.id);
        if (el && el.getBoundingClientRect().top <= 120) current = t.id;
      }
      setActive(current);
    };
    update();
    window.addEventListener("scroll", update, { passive: true });
    return () => window.removeEventListener("scroll", update);
  }, [body, toc]);
  return active;
}

/** The lines added and removed between two versions. */
function WhatChanged({ moduleID, from, to, open = false }: { moduleID: string; from: number; to: number; open?: boolean }) {
  const [shown, setShown] = useState(open);
  const diff = useQuery({ queryKey: ["diff", moduleID, from, to], queryFn: () => learning.diff(moduleID, from, to), enabled: shown });
  return (
    <section className="changes" aria-labelledby="changes-title">
      <h2 id="changes-title">{open ? `What changed since version ${from}, which you read` : `What changed in version ${to}`}</h2>
      {!shown && <button type="button" onClick={() => setShown(true)}>Show the changes from version {from}</button>}
      {diff.isPending && shown && <p role="status" className="hint">Loading the changes…</p>}
      {diff.isError && <p role="alert" className="error">{diff.error.message}</p>}
      {diff.data && <DiffView diff={diff.data} />}
    </section>
  );
}

export function DiffView({ diff }: { diff: VersionDiff }) {
  if (!diff.hunks.length) return <p>No text changed.</p>;
  return (
    <>
      <p className="hint">{diff.added} {diff.added === 1 ? "line" : "lines"} added, {diff.removed} removed.</p>
      {diff.hunks.map((h, i) => (
        <div className="diff" key={i} role="group" aria-label={`Change ${i + 1}, near line ${h.new_start}`}>
          {h.lines.map((l, j) => (
            l.op === "add" ? <ins key={j} className="diff-line add"><span className="sign" aria-hidden="true">+</span><span className="sr-only">Added: </span>{l.text || " "}</ins>
              : l.op === "del" ? <del key={j} className="diff-line del"><span className="sign" aria-hidden="true">−</span><span className="sr-only">Removed: </span>{l.text || " "}</del>
              : <span key={j} className="diff-line ctx"><span className="sign" aria-hidden="true"> </span>{l.text || " "}</span>
          ))}
        </div>
      ))}
    </>
  );
}
