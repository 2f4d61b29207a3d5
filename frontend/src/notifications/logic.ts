// What the inbox decides without React: the badge's words, where a notice's
// link may lead, and when the unread count is worth asking for again.

/** How often the header asks for the unread count while the tab is visible. */
export const POLL_MS = 60_000;
/** A navigation asks again only when the count is older than this. */
export const FRESH_MS = 15_000;
/** Notices per page of the inbox. */
export const PAGE = 20;

/**
 * The badge's accessible name: "Notifications" or "Notifications 3 unread". It starts with what the badge
 * shows ("Notifications 3"), so what is seen is what is heard (WCAG 2.5.3).
 */
export function badgeLabel(unread: number | undefined): string {
  const text = badgeText(unread);
  return text ? `Notifications ${text} unread` : "Notifications";
}

/** The count the badge shows: nothing at zero, at most "99+". */
export function badgeText(unread: number | undefined): string {
  if (!unread || unread < 0) return "";
  return unread > 99 ? "99+" : String(unread);
}

/** Where a notice leads: a path in this app, an http(s) address elsewhere, or nowhere. */
export type Target = { kind: "app"; to: string } | { kind: "external"; href: string } | { kind: "none" };

/**
 * Reads a notice's link. Links are app paths ("/training/…"); an absolute
 * http or https URL opens as a plain link. Anything else ("javascript:",
 * "//host", empty) leads nowhere, so a notice can never run script.
 */
export function linkTarget(link: string | undefined): Target {
  const l = (link ?? "").trim();
  if (l.startsWith("/") && !l.startsWith("//") && !l.startsWith("/\\")) return { kind: "app", to: l };
  if (/^https?:\/\//i.test(l)) {
    try {
      const u = new URL(l);
      if (u.protocol === "http:" || u.protocol === "https:") return { kind: "external", href: u.href };
    } catch {
      return { kind: "none" };
    }
  }
  return { kind: "none" };
}

/** Whether a click should be left to the browser (new tab, new window, download). */
export function isModifiedClick(e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean }): boolean {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}

/** Plain words for a notice's kind, for the list. */
export function kindLabel(kind: string): string {
  switch (kind) {
    case "certification.refresher_due": return "Refresher due";
    case "certification.expiring": return "Certification expiring";
    case "license.expiring": return "License expiring";
    case "license.ce_incomplete": return "Continuing education due";
    case "roleplay.sent_back": return "Role-play sent back";
    case "task_due": case "task_overdue": return "Onboarding";
    default: return kind.startsWith("onboarding.") ? "Onboarding" : "Notice";
  }
}

/** "Showing 1–20 of 45" for a page of the inbox. */
export function pageRange(offset: number, shown: number, total: number): string {
  if (total === 0 || shown === 0) return "";
  return `Showing ${offset + 1}–${offset + shown} of ${total}`;
}
