import { Link } from "react-router-dom";
import { useSession } from "../auth/session";
import { navFor } from "../routes";
import { AgentHome } from "./AgentHome";
import { StaffHome } from "./StaffHome";

const ABOUT: Record<string, string> = {
  "/training": "Your programs, what to read next, quizzes and role-plays.",
  "/certifications": "Where you stand in each program and what is left.",
  "/licenses": "Your state licenses; submit one for verification.",
  "/library": "Clients, programs and modules: edit, preview and publish; quiz and role-play analysis.",
  "/reviews": "Role-play runs waiting for your sign-off.",
  "/cohorts": "Classes of new hires: members, the plan's calendar, a progress heat map and charts.",
  "/rosters": "Who is assigned to each program's queue and whether they may take contacts.",
  "/compliance/licenses": "Verify submitted licenses, watch expiries, find certified agents without licenses.",
  "/compliance/appointments": "Carriers' appointments by state: record, activate, terminate, import; gaps and filings due.",
  "/compliance/ce": "Continuing-education requirements by state and the licenses whose CE is behind.",
  "/admin/users": "Create people, set their role and clients, deactivate them, import many from CSV.",
  "/admin/clients": "The client companies the center serves.",
  "/admin/api-keys": "Keys for machines such as the routing system.",
  "/admin/webhooks": "Where Skillgate sends its events, and the delivery log.",
  "/audit": "Who changed what, and when.",
  "/account": "Your name and password.",
};

export function Home() {
  const { me } = useSession();
  if (!me) return null;
  const links = navFor(me.role).filter((n) => n.to !== "/");
  const welcome = <h1>Welcome{me.display_name ? `, ${me.display_name}` : ""}</h1>;
  if (me.role === "agent") {
    return (
      <section>
        {welcome}
        <AgentHome />
      </section>
    );
  }
  return (
    <section>
      {welcome}
      <StaffHome />
      <h2>Your pages</h2>
      <ul className="cards">
        {links.map((n) => (
          <li key={n.to}>
            <Link to={n.to}>{n.label}</Link>
            <p>{ABOUT[n.to]}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
