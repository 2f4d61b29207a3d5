import { NavLink, Outlet } from "react-router-dom";
import { useSession, type Role } from "../auth/session";

/** Navigation entries, each shown only to the roles that may use it. */
export const NAV: { to: string; label: string; roles: Role[] }[] = [
  { to: "/", label: "Home", roles: ["agent", "trainer", "supervisor", "compliance", "admin"] },
];

export function Layout() {
  const { me, signOut } = useSession();
  if (!me) return null;
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Skillgate</span>
        <nav aria-label="Main">
          {NAV.filter((n) => n.roles.includes(me.role)).map((n) => (
            <NavLink key={n.to} to={n.to} end>{n.label}</NavLink>
          ))}
        </nav>
        <span className="who">{me.name || me.email} · {me.role}</span>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
