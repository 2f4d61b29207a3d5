import { Link } from "react-router-dom";
import { useSession } from "../auth/session";
import { navFor } from "../components/Layout";

const ABOUT: Record<string, string> = {
  "/training": "Your programs, what to read next, quizzes and role-plays.",
  "/certifications": "Where you stand in each program and what is left.",
  "/licenses": "Your state licenses; submit one for verification.",
  "/admin/users": "Create people, set their role and clients, deactivate them, import many from CSV.",
  "/admin/api-keys": "Keys for machines such as the routing system.",
  "/audit": "Who changed what, and when.",
  "/account": "Your name and password.",
};

export function Home() {
  const { me } = useSession();
  if (!me) return null;
  const links = navFor(me.role).filter((n) => n.to !== "/");
  return (
    <section>
      <h1>Welcome{me.display_name ? `, ${me.display_name}` : ""}</h1>
      <p>You are signed in as <strong>{me.role}</strong>.</p>
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
