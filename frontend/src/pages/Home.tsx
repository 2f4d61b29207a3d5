import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { useSession, type Role } from "../auth/session";
import { staff } from "../api/staff";
import { navFor } from "../routes";
import { usePrograms } from "../training/hooks";
import { AgentHome } from "./AgentHome";

const ABOUT: Record<string, string> = {
  "/training": "Your programs, what to read next, quizzes and role-plays.",
  "/certifications": "Where you stand in each program and what is left.",
  "/licenses": "Your state licenses; submit one for verification.",
  "/library": "Clients, programs and modules: edit, preview and publish; quiz and role-play analysis.",
  "/reviews": "Role-play runs waiting for your sign-off.",
  "/rosters": "Who is assigned to each program's queue and whether they may take contacts.",
  "/compliance/licenses": "Verify submitted licenses, watch expiries, find certified agents without licenses.",
  "/admin/users": "Create people, set their role and clients, deactivate them, import many from CSV.",
  "/admin/clients": "The client companies the center serves.",
  "/admin/api-keys": "Keys for machines such as the routing system.",
  "/admin/webhooks": "Where Skillgate sends its events, and the delivery log.",
  "/audit": "Who changed what, and when.",
  "/account": "Your name and password.",
};

/** One thing to do next, with a count when there is one. */
function Todo({ to, children }: { to: string; children: React.ReactNode }) {
  return <li><Link to={to}>{children}</Link></li>;
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a staff role should look at first (the agent's home is AgentHome). */
function NextUp({ role }: { role: Exclude<Role, "agent"> }) {
  const programs = usePrograms(role === "trainer");
  const reviews = useQuery({ queryKey: ["reviews"], queryFn: staff.reviews, enabled: role === "supervisor", staleTime: 0 });
  const queue = useQuery({ queryKey: ["license-queue"], queryFn: staff.licenseQueue, enabled: role === "compliance", staleTime: 0 });
  const expiring = useQuery({ queryKey: ["licenses-expiring", 30], queryFn: () => staff.expiring(30), enabled: role === "compliance", staleTime: 0 });
  const gaps = useQuery({ queryKey: ["license-gaps"], queryFn: staff.gaps, enabled: role === "compliance", staleTime: 0 });
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: staff.webhooks, enabled: role === "admin" });
  const items: React.ReactNode[] = [];
  switch (role) {
    case "trainer":
      items.push(<Todo key="l" to="/library">{programs.data ? `Review and update the content of ${plural(programs.data.length, "program", "programs")}` : "Open the content library"}</Todo>);
      break;
    case "supervisor":
      items.push(<Todo key="r" to="/reviews">{reviews.data ? `${plural(reviews.data.length, "role-play run waits", "role-play runs wait")} for your sign-off` : "Role-play runs waiting for your sign-off"}</Todo>);
      items.push(<Todo key="ro" to="/rosters">Check who is routable in your programs' queues</Todo>);
      break;
    case "compliance":
      items.push(<Todo key="q" to="/compliance/licenses?tab=queue">{queue.data ? `${plural(queue.data.length, "license waits", "licenses wait")} for verification` : "Licenses waiting for verification"}</Todo>);
      items.push(<Todo key="e" to="/compliance/licenses?tab=expiring">{expiring.data ? `${plural(expiring.data.length, "license expires", "licenses expire")} within 30 days` : "Licenses expiring soon"}</Todo>);
      items.push(<Todo key="g" to="/compliance/licenses?tab=gaps">{gaps.data ? `${plural(gaps.data.length, "license gap", "license gaps")}: certified agents without a required license` : "Certified agents without licenses"}</Todo>);
      break;
    case "admin":
      items.push(<Todo key="w" to="/admin/webhooks">{hooks.data ? `${plural(hooks.data.length, "webhook", "webhooks")} deliver events; check their delivery logs` : "Webhooks and their delivery logs"}</Todo>);
      items.push(<Todo key="u" to="/admin/users">Add new hires and set their clients</Todo>);
      break;
  }
  return (
    <section className="panel next-up" aria-labelledby="next-up">
      <h2 id="next-up">What to do next</h2>
      <ul>{items}</ul>
    </section>
  );
}

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
      <p>You are signed in as <strong>{me.role}</strong>.</p>
      <NextUp role={me.role} />
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
