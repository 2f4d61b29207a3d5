// The one table of the signed-in app's pages: each page's path, what it shows, the roles that may open it
// and, when it is in the navigation, its label there. App builds the routes from it and Layout (and the
// home page's cards) the menu, so a menu entry always leads to a page its role may open.
//
// To add a page: add one row here. Leave `roles` out only for a page every signed-in role may open; give
// `menu` a label to put it in the navigation, and `menu.roles` only when fewer roles should find it there
// than may open it (a page reached from another page, or a staff page that other roles rarely need).
import type { ReactElement } from "react";
import { ROLES, type Role } from "./api/types";
import { Account } from "./pages/Account";
import { APIKeys } from "./pages/APIKeys";
import { AuditLog } from "./pages/AuditLog";
import { Home } from "./pages/Home";
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
import { RoleplayEditor } from "./staff/RoleplayEditor";
import { Inbox } from "./notifications/Inbox";
import { CohortDetail } from "./cohorts/CohortDetail";
import { Cohorts } from "./cohorts/Cohorts";
import { CompetencyPage, QuizAnalysisPage } from "./staff/Analysis";
import { QuizAttempts } from "./staff/QuizAttempts";
import { Banks } from "./staff/Banks";
import { Clients } from "./staff/Clients";
import { ComplianceAppointments } from "./staff/Appointments";
import { ComplianceLicenses } from "./staff/Compliance";
import { ContinuingEducation } from "./staff/ContinuingEducation";
import { Library, LibraryProgram } from "./staff/Library";
import { QuizEditor } from "./staff/QuizEditor";
import { BankEditor } from "./staff/BankEditor";
import { ModuleEditor } from "./staff/ModuleEditor";
import { DraftEditor } from "./staff/DraftEditor";
import { ProgramEditor } from "./staff/ProgramEditor";
import { LibraryFiles } from "./staff/LibraryFiles";
import { ReviewQueue, ReviewRun } from "./staff/Reviews";
import { Rosters } from "./staff/Rosters";
import { WebhookDetail, Webhooks } from "./staff/Webhooks";

/** One page of the signed-in app. */
export interface AppRoute {
  /** The path under the app's root, as React Router reads it ("" is the home page). */
  path: string;
  element: ReactElement;
  /** The roles that may open it; absent: every role. */
  roles?: Role[];
  /** Its entry in the navigation: the label, and the roles that see it there (absent: all of `roles`). */
  menu?: { label: string; roles?: Role[] };
}

const staff: Role[] = ["trainer", "supervisor", "compliance", "admin"];

/** Every page inside the app's frame, in the order of the navigation. */
export const ROUTES: AppRoute[] = [
  { path: "", element: <Home />, menu: { label: "Home" } },
  { path: "training", element: <MyTraining />, menu: { label: "My training", roles: ["agent"] } },
  { path: "training/:programId", element: <ProgramPage /> },
  { path: "training/:programId/modules/:moduleId", element: <ModuleReader /> },
  { path: "training/:programId/quiz/:attemptId", element: <QuizTake /> },
  { path: "training/:programId/quiz/:attemptId/result", element: <QuizResult /> },
  { path: "training/:programId/roleplay/:runId", element: <RoleplayRun /> },
  { path: "certifications", element: <MyCertifications />, roles: ["agent"], menu: { label: "My certifications" } },
  // Compliance opens an agent's licenses from the verification queue.
  { path: "licenses", element: <MyLicenses />, roles: ["agent", "compliance"], menu: { label: "My licenses", roles: ["agent"] } },
  { path: "library", element: <Library />, roles: ["trainer", "admin"], menu: { label: "Content library", roles: ["trainer"] } },
  { path: "library/programs/:programId", element: <LibraryProgram />, roles: ["trainer", "admin"] },
  { path: "library/modules/:moduleId", element: <ModuleEditor />, roles: ["trainer", "admin"] },
  { path: "banks", element: <Banks />, roles: ["trainer", "admin"], menu: { label: "Question banks" } },
  { path: "library/drafts/:draftId", element: <DraftEditor />, roles: ["trainer", "admin"] },
  { path: "library/roleplay-drafts/:draftId", element: <RoleplayEditor />, roles: ["trainer", "admin"] },
  { path: "library/quiz-drafts/:draftId", element: <QuizEditor />, roles: ["trainer", "admin"] },
  { path: "library/bank-drafts/:draftId", element: <BankEditor />, roles: ["trainer", "admin"] },
  { path: "library/program-drafts/:draftId", element: <ProgramEditor />, roles: ["trainer", "admin"] },
  { path: "library/quizzes/:quizId", element: <QuizAnalysisPage />, roles: staff },
  { path: "library/quizzes/:quizId/attempts", element: <QuizAttempts />, roles: staff },
  { path: "library/roleplays/:roleplayId", element: <CompetencyPage />, roles: staff },
  { path: "reviews", element: <ReviewQueue />, roles: ["supervisor", "compliance", "admin"], menu: { label: "Reviews", roles: ["supervisor"] } },
  { path: "reviews/:runId", element: <ReviewRun />, roles: ["supervisor", "compliance", "admin"] },
  { path: "cohorts", element: <Cohorts />, roles: staff, menu: { label: "Cohorts", roles: ["trainer", "supervisor"] } },
  { path: "cohorts/:cohortId", element: <CohortDetail />, roles: staff },
  { path: "rosters", element: <Rosters />, roles: ["supervisor", "trainer", "compliance", "admin"], menu: { label: "Rosters", roles: ["supervisor", "trainer"] } },
  { path: "compliance/licenses", element: <ComplianceLicenses />, roles: ["compliance", "admin"], menu: { label: "Licenses", roles: ["compliance"] } },
  { path: "compliance/appointments", element: <ComplianceAppointments />, roles: ["compliance", "admin"], menu: { label: "Appointments", roles: ["compliance"] } },
  { path: "compliance/ce", element: <ContinuingEducation />, roles: ["compliance", "admin"], menu: { label: "Continuing education" } },
  { path: "admin/users", element: <Users />, roles: ["admin", "compliance"], menu: { label: "Users" } },
  // Trainers and supervisors open an agent's page from a program's enrollments or a cohort's members.
  { path: "admin/users/:id", element: <UserDetail />, roles: staff },
  { path: "admin/clients", element: <Clients />, roles: ["admin"], menu: { label: "Clients" } },
  { path: "admin/library", element: <LibraryFiles />, roles: ["admin"], menu: { label: "Library files" } },
  { path: "admin/api-keys", element: <APIKeys />, roles: ["admin"], menu: { label: "API keys" } },
  { path: "admin/webhooks", element: <Webhooks />, roles: ["admin"], menu: { label: "Webhooks" } },
  { path: "admin/webhooks/:id", element: <WebhookDetail />, roles: ["admin"] },
  { path: "audit", element: <AuditLog />, roles: ["compliance", "admin"], menu: { label: "Audit log" } },
  { path: "account", element: <Account />, menu: { label: "My account" } },
  { path: "notifications", element: <Inbox /> },
];

/** The roles that may open a route. */
export function routeRoles(r: AppRoute): Role[] {
  return r.roles ?? ROLES;
}

/** The roles that find a route in the navigation (none when it is not there). */
export function menuRoles(r: AppRoute): Role[] {
  return r.menu ? (r.menu.roles ?? routeRoles(r)) : [];
}

/** One entry of the navigation. */
export interface NavEntry {
  to: string;
  label: string;
}

/** The navigation a role sees, in the table's order. */
export function navFor(role: Role): NavEntry[] {
  return ROUTES.filter((r) => r.menu && menuRoles(r).includes(role)).map((r) => ({ to: "/" + r.path, label: r.menu!.label }));
}

/** What is wrong with a route table: a path twice, or a menu entry shown to a role that may not open its page. */
export function tableProblems(routes: AppRoute[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of routes) {
    if (seen.has(r.path)) problems.push(`path "${r.path}" is in the table twice`);
    seen.add(r.path);
    for (const role of menuRoles(r)) {
      if (!routeRoles(r).includes(role)) problems.push(`"${r.menu?.label}" is in the ${role}'s menu but /${r.path} is closed to the ${role}`);
    }
  }
  return problems;
}
