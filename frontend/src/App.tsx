import type { ReactElement } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useSession, type Role } from "./auth/session";
import { Layout } from "./components/Layout";
import { Account } from "./pages/Account";
import { APIKeys } from "./pages/APIKeys";
import { AuditLog } from "./pages/AuditLog";
import { Home } from "./pages/Home";
import { Login } from "./pages/Login";
import { NotFound } from "./pages/NotFound";
import { UserDetail } from "./pages/UserDetail";
import { Users } from "./pages/Users";
import { ModuleReader } from "./training/ModuleReader";
import { MyCertifications } from "./training/MyCertifications";
import { MyLicenses } from "./training/MyLicenses";
import { MyTraining } from "./training/MyTraining";
import { ProgramPage } from "./training/ProgramPage";
import { QuizResult } from "./training/QuizResult";
import { QuizTake } from "./training/QuizTake";
import { RoleplayRun } from "./training/RoleplayRun";
import { Inbox } from "./notifications/Inbox";
import { CohortDetail } from "./cohorts/CohortDetail";
import { Cohorts } from "./cohorts/Cohorts";
import { CompetencyPage, QuizAnalysisPage } from "./staff/Analysis";
import { QuizAttempts } from "./staff/QuizAttempts";
import { Clients } from "./staff/Clients";
import { ComplianceLicenses } from "./staff/Compliance";
import { Library, LibraryProgram } from "./staff/Library";
import { ModuleEditor } from "./staff/ModuleEditor";
import { ReviewQueue, ReviewRun } from "./staff/Reviews";
import { Rosters } from "./staff/Rosters";
import { WebhookDetail, Webhooks } from "./staff/Webhooks";

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

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route element={<RequireSession><Layout /></RequireSession>}>
        <Route index element={<Home />} />
        <Route path="account" element={<Account />} />
        <Route path="notifications" element={<Inbox />} />
        <Route path="training" element={<MyTraining />} />
        <Route path="training/:programId" element={<ProgramPage />} />
        <Route path="training/:programId/modules/:moduleId" element={<ModuleReader />} />
        <Route path="training/:programId/quiz/:attemptId" element={<QuizTake />} />
        <Route path="training/:programId/quiz/:attemptId/result" element={<QuizResult />} />
        <Route path="training/:programId/roleplay/:runId" element={<RoleplayRun />} />
        <Route path="certifications" element={<RequireRole roles={["agent"]}><MyCertifications /></RequireRole>} />
        <Route path="licenses" element={<RequireRole roles={["agent", "compliance"]}><MyLicenses /></RequireRole>} />
        <Route path="admin/users" element={<RequireRole roles={["admin", "compliance"]}><Users /></RequireRole>} />
        <Route path="admin/users/:id" element={<RequireRole roles={["admin", "compliance"]}><UserDetail /></RequireRole>} />
        <Route path="admin/api-keys" element={<RequireRole roles={["admin"]}><APIKeys /></RequireRole>} />
        <Route path="library" element={<RequireRole roles={["trainer", "admin"]}><Library /></RequireRole>} />
        <Route path="library/programs/:programId" element={<RequireRole roles={["trainer", "admin"]}><LibraryProgram /></RequireRole>} />
        <Route path="library/modules/:moduleId" element={<RequireRole roles={["trainer", "admin"]}><ModuleEditor /></RequireRole>} />
        <Route path="library/quizzes/:quizId" element={<RequireRole roles={["trainer", "supervisor", "compliance", "admin"]}><QuizAnalysisPage /></RequireRole>} />
        <Route path="library/quizzes/:quizId/attempts" element={<RequireRole roles={["trainer", "supervisor", "compliance", "admin"]}><QuizAttempts /></RequireRole>} />
        <Route path="library/roleplays/:roleplayId" element={<RequireRole roles={["trainer", "supervisor", "compliance", "admin"]}><CompetencyPage /></RequireRole>} />
        <Route path="reviews" element={<RequireRole roles={["supervisor", "compliance", "admin"]}><ReviewQueue /></RequireRole>} />
        <Route path="reviews/:runId" element={<RequireRole roles={["supervisor", "compliance", "admin"]}><ReviewRun /></RequireRole>} />
        <Route path="cohorts" element={<RequireRole roles={["trainer", "supervisor", "compliance", "admin"]}><Cohorts /></RequireRole>} />
        <Route path="cohorts/:cohortId" element={<RequireRole roles={["trainer", "supervisor", "compliance", "admin"]}><CohortDetail /></RequireRole>} />
        <Route path="rosters" element={<RequireRole roles={["supervisor", "trainer", "compliance", "admin"]}><Rosters /></RequireRole>} />
        <Route path="compliance/licenses" element={<RequireRole roles={["compliance", "admin"]}><ComplianceLicenses /></RequireRole>} />
        <Route path="admin/clients" element={<RequireRole roles={["admin"]}><Clients /></RequireRole>} />
        <Route path="admin/webhooks" element={<RequireRole roles={["admin"]}><Webhooks /></RequireRole>} />
        <Route path="admin/webhooks/:id" element={<RequireRole roles={["admin"]}><WebhookDetail /></RequireRole>} />
        <Route path="audit" element={<RequireRole roles={["compliance", "admin"]}><AuditLog /></RequireRole>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
