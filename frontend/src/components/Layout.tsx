import { NavLink, Outlet } from "react-router-dom";
import { useSession, type Role } from "../auth/session";
import { NotificationsBadge } from "../notifications/Badge";

/** Navigation entries, each shown only to the roles that may use it. */
export const NAV: { to: string; label: string; roles: Role[] }[] = [
  { to: "/", label: "Home", roles: ["agent", "trainer", "supervisor", "compliance", "admin"] },
  { to: "/training", label: "My training", roles: ["agent"] },
  { to: "/certifications", label: "My certifications", roles: ["agent"] },
  { to: "/licenses", label: "My licenses", roles: ["agent"] },
  { to: "/library", label: "Content library", roles: ["trainer"] },
  { to: "/reviews", label: "Reviews", roles: ["supervisor"] },
  { to: "/cohorts", label: "Cohorts", roles: ["trainer", "supervisor"] },
  { to: "/rosters", label: "Rosters", roles: ["supervisor", "trainer"] },
  { to: "/compliance/licenses", label: "Licenses", roles: ["compliance"] },
  { to: "/admin/users", label: "Users", roles: ["admin", "compliance"] },
  { to: "/admin/clients", label: "Clients", roles: ["admin"] },
  { to: "/admin/api-keys", label: "API keys", roles: ["admin"] },
  { to: "/admin/webhooks", label: "Webhooks", roles: ["admin"] },
  { to: "/audit", label: "Audit log", roles: ["compliance", "admin"] },
  { to: "/account", label: "My account", roles: ["agent", "trainer", "supervisor", "compliance", "admin"] },
];

/** The entries a role sees. */
export function navFor(role: Role) {
  return NAV.filter((n) => n.roles.includes(role));
}

export function Layout() {
  const { me, signOut } = useSession();
  if (!me) return null;
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Skillgate</span>
        <nav aria-label="Main">
          {navFor(me.role).map((n) => (
            <NavLink key={n.to} to={n.to} end={n.to === "/"}>{n.label}</NavLink>
          ))}
        </nav>
        <NotificationsBadge />
        <span className="who">
          {me.display_name || me.email} · <span className="role">{me.role}</span>
        </span>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
