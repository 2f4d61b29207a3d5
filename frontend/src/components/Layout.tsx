import { useEffect, useRef, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router-dom";
import { useSession } from "../auth/session";
import { navFor } from "../routes";
import { NotificationsBadge } from "../notifications/Badge";
import { useUnreadCount } from "../notifications/hooks";
import { badgeText } from "../notifications/logic";
import { useFocusableScrollers } from "./scrollRegions";

/**
 * The app's frame. On a laptop the header is two rows (the brand and the user's controls, then the menu across the
 * whole width, so even the admin's menu fits on one line at 1280 px); on a phone (below 60rem) the navigation, Notifications
 * and Sign out fold into a menu behind a disclosure button, which a link, Escape or a click elsewhere closes.
 */
export function Layout() {
  const { me, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const header = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const unread = useUnreadCount().data;
  const main = useRef<HTMLElement>(null);
  useFocusableScrollers(main);

  // A followed link closes the menu.
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      toggle.current?.focus();
    };
    const onClick = (e: MouseEvent) => {
      if (!header.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    };
  }, [open]);

  if (!me) return null;
  const count = badgeText(unread);
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar" ref={header}>
        <span className="brand">Skillgate</span>
        <button type="button" ref={toggle} className="menu-toggle" aria-expanded={open} aria-controls="site-menu"
          onClick={() => setOpen((o) => !o)}>
          <span className="menu-icon" aria-hidden="true" />
          Menu
          {count && <> <span className="count">{count}</span> <span className="sr-only">unread notifications</span></>}
        </button>
        <div id="site-menu" className={open ? "menu open" : "menu"}>
          <nav aria-label="Main">
            {navFor(me.role).map((n) => (
              <NavLink key={n.to} to={n.to} end={n.to === "/"}>{n.label}</NavLink>
            ))}
          </nav>
          <NotificationsBadge />
          <span className="who">
            {me.display_name || me.email} · <span className="role">{me.role}</span>
          </span>
          <button type="button" className="sign-out" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </div>
  );
}
