import { useRef, useState, type MouseEvent } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearchParams } from "react-router-dom";
import { notifications, type Notification } from "../api/notifications";
import { useSession } from "../auth/session";
import { formatDate, formatDateTime } from "../lib/format";
import { inboxKey, unreadKey } from "./hooks";
import { isModifiedClick, kindLabel, linkTarget, PAGE, pageRange } from "./logic";

/**
 * The signed-in person's notices, newest first. Opening one marks it read and
 * follows its link; "Mark all read" clears the badge.
 */
export function Inbox() {
  const { me } = useSession();
  const userID = me?.id ?? "";
  const qc = useQueryClient();
  const navigate = useNavigate();
  const heading = useRef<HTMLHeadingElement>(null);
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get("unread") === "1";
  const offset = Math.max(0, Math.floor(Number(params.get("offset")) || 0));
  const [notice, setNotice] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const page = useQuery({
    queryKey: [...inboxKey(userID), "page", { offset, unreadOnly }],
    queryFn: async () => {
      const r = await notifications.list({ limit: PAGE, offset, unread: unreadOnly });
      qc.setQueryData(unreadKey(userID), r.unread_count);
      return r;
    },
    enabled: !!userID,
    staleTime: 0,
    placeholderData: keepPreviousData,
  });

  const markOne = useMutation({
    mutationFn: (n: Notification) => notifications.markRead(n.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: inboxKey(userID) }),
  });
  const markAll = useMutation({
    mutationFn: notifications.markAllRead,
    onSuccess: (r) => {
      setErrors({});
      setNotice(r.marked === 1 ? "Marked 1 notice read." : `Marked ${r.marked} notices read.`);
      void qc.invalidateQueries({ queryKey: inboxKey(userID) });
      heading.current?.focus();
    },
  });

  function setParam(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "offset") next.delete("offset");
    setParams(next);
  }

  /** Marks the notice read (if it is not), keeping any error next to it. */
  async function markRead(n: Notification): Promise<boolean> {
    if (n.read_at) return true;
    try {
      await markOne.mutateAsync(n);
      setErrors((e) => ({ ...e, [n.id]: "" }));
      return true;
    } catch (err) {
      setErrors((e) => ({ ...e, [n.id]: `Could not mark it read: ${err instanceof Error ? err.message : String(err)}` }));
      return false;
    }
  }

  async function open(e: MouseEvent<HTMLAnchorElement>, n: Notification) {
    if (isModifiedClick(e)) {
      void markRead(n);
      return; // a new tab or window: the browser follows the link
    }
    e.preventDefault();
    if (!(await markRead(n))) return;
    const t = linkTarget(n.link);
    if (t.kind === "app") navigate(t.to);
    else if (t.kind === "external") window.location.assign(t.href);
  }

  async function markReadHere(n: Notification) {
    if (await markRead(n)) {
      setNotice(`Marked “${n.title}” read.`);
      // The button goes away with the unread state: keep focus on the notice.
      requestAnimationFrame(() => document.getElementById(`notice-${n.id}`)?.focus());
    }
  }

  const data = page.data;
  const rows = data?.notifications ?? [];
  const unread = data?.unread_count ?? 0;
  return (
    <section>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>Notifications</h1>
        <div className="actions">
          <button type="button" onClick={() => markAll.mutate()} disabled={markAll.isPending || !data || unread === 0}
            aria-describedby={markAll.error ? "mark-all-error" : undefined}>
            {markAll.isPending ? "Marking…" : "Mark all read"}
          </button>
        </div>
      </div>
      {markAll.error && <p id="mark-all-error" role="alert" className="error">Could not mark them read: {markAll.error.message}</p>}
      <p role="status" className="notice-line">{notice}</p>
      <p className="hint">
        Reminders of what is due: refreshers, certifications and licenses expiring, role-play runs sent back, onboarding tasks.
        {data && ` ${unread === 0 ? "Nothing unread." : unread === 1 ? "1 unread." : `${unread} unread.`}`}
      </p>

      <form className="filters" aria-label="Filter notifications" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="inbox-show">Show</label>
          <select id="inbox-show" value={unreadOnly ? "1" : ""} onChange={(e) => setParam("unread", e.target.value)}>
            <option value="">All notices</option>
            <option value="1">Unread only</option>
          </select>
        </div>
      </form>

      {page.isError && <p role="alert" className="error">{page.error.message}</p>}
      {page.isPending && <p className="loading" role="status">Loading notifications…</p>}
      {data && rows.length === 0 && <p>{unreadOnly ? "Nothing unread." : "No notifications yet."}</p>}
      {rows.length > 0 && (
        <ul className="inbox" aria-label="Notifications, newest first">
          {rows.map((n) => {
            const t = linkTarget(n.link);
            const href = t.kind === "app" ? t.to : t.kind === "external" ? t.href : undefined;
            const err = errors[n.id];
            return (
              <li key={n.id} className={n.read_at ? "read" : "unread"} aria-describedby={err ? `notice-${n.id}-error` : undefined}>
                <div className="inbox-head">
                  {n.read_at ? <span className="badge off">Read</span> : <span className="badge next-badge">Unread</span>}
                  {href ? (
                    <a id={`notice-${n.id}`} className="inbox-title" href={href} onClick={(e) => void open(e, n)}>{n.title}</a>
                  ) : (
                    <strong id={`notice-${n.id}`} className="inbox-title" tabIndex={-1}>{n.title}</strong>
                  )}
                </div>
                <p className="inbox-body">{n.body}</p>
                <p className="hint">
                  {kindLabel(n.kind)} · {formatDateTime(n.created_at)}
                  {n.due_date && <> · due {formatDate(n.due_date)}</>}
                  {n.read_at && <> · read {formatDateTime(n.read_at)}</>}
                </p>
                {!n.read_at && (
                  <button type="button" className="small" onClick={() => void markReadHere(n)} disabled={markOne.isPending && markOne.variables?.id === n.id}>
                    Mark read<span className="sr-only">: {n.title}</span>
                  </button>
                )}
                {err && <p id={`notice-${n.id}-error`} role="alert" className="field-error">{err}</p>}
              </li>
            );
          })}
        </ul>
      )}
      {data && data.total > PAGE && (
        <nav className="pager" aria-label="Pages of notifications">
          <button type="button" disabled={offset === 0} onClick={() => setParam("offset", offset > PAGE ? String(offset - PAGE) : "")}>
            Newer
          </button>
          <span>{pageRange(offset, rows.length, data.total)}</span>
          <button type="button" disabled={offset + rows.length >= data.total} onClick={() => setParam("offset", String(offset + PAGE))}>
            Older
          </button>
        </nav>
      )}
    </section>
  );
}
