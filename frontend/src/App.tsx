import type { ReactElement } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useSession, type Role } from "./auth/session";
import { Layout } from "./components/Layout";
import { Login } from "./pages/Login";
import { NotFound } from "./pages/NotFound";
import { Verify } from "./pages/Verify";
import { ROUTES } from "./routes";

function RequireSession({ children }: { children: ReactElement }) {
  const { me, loading, endedBy } = useSession();
  const location = useLocation();
  if (loading) return <p className="loading" role="status">Loading…</p>;
  if (!me) {
    // A lost session (or a deep link) comes back here after sign-in; signing out does not.
    const from = endedBy === "signout" || endedBy === "password" ? undefined : location.pathname + location.search;
    return <Navigate to="/login" replace state={from ? { from } : null} />;
  }
  return children;
}

/** Shows the page only to the roles given; others learn they may not see it. */
function RequireRole({ roles, children }: { roles: Role[]; children: ReactElement }) {
  const { me } = useSession();
  if (!me || !roles.includes(me.role)) {
    return (
      <section>
        <h1>Not available</h1>
        <p>Your role ({me?.role}) cannot use this page.</p>
      </section>
    );
  }
  return children;
}

/** The app: sign-in, the public certificate verification, and the pages of the route table (src/routes.tsx) inside the frame. */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      {/* Public: anyone checks a certificate without signing in. */}
      <Route path="/verify/:id" element={<Verify />} />
      <Route element={<RequireSession><Layout /></RequireSession>}>
        {ROUTES.map((r) => {
          const element = r.roles ? <RequireRole roles={r.roles}>{r.element}</RequireRole> : r.element;
          return r.path === "" ? <Route key="" index element={element} /> : <Route key={r.path} path={r.path} element={element} />;
        })}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
