import { matchRoutes } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "./api/types";
import { navFor, routeRoles, ROUTES, tableProblems } from "./routes";

/** The route a URL opens, as React Router matches it against the table. */
function routeAt(url: string) {
  const matches = matchRoutes(ROUTES.map((r) => ({ path: "/" + r.path, route: r })), url);
  return matches?.[matches.length - 1]?.route.route;
}

describe("the route table", () => {
  it("has each path once and shows each role only pages it may open", () => {
    expect(tableProblems(ROUTES)).toEqual([]);
  });

  it.each(ROLES)("leads the %s's menu only to pages the %s may open", (role: Role) => {
    const entries = navFor(role);
    expect(entries.length).toBeGreaterThan(1);
    for (const n of entries) {
      const r = routeAt(n.to);
      expect(r, `${role}'s "${n.label}" → ${n.to}`).toBeDefined();
      expect(routeRoles(r!), `${role}'s "${n.label}" → ${n.to}`).toContain(role);
    }
  });

  it("gives each role the menu it has always had", () => {
    const labels = (role: Role) => navFor(role).map((n) => n.label);
    expect(labels("agent")).toEqual(["Home", "My training", "My certifications", "My licenses", "My account"]);
    expect(labels("trainer")).toEqual(["Home", "Content library", "Question banks", "Cohorts", "Rosters", "My account"]);
    expect(labels("supervisor")).toEqual(["Home", "Reviews", "Cohorts", "Rosters", "My account"]);
    expect(labels("compliance")).toEqual(["Home", "Licenses", "Appointments", "Continuing education", "Users", "Audit log", "My account"]);
    expect(labels("admin")).toEqual(["Home", "Question banks", "Continuing education", "Users", "Clients", "API keys", "Webhooks", "Audit log", "My account"]);
  });

  it("finds a path given twice and a menu entry for a role the page refuses", () => {
    const bad = [
      { path: "audit", element: <p />, roles: ["admin" as Role], menu: { label: "Audit log", roles: ["admin", "agent"] as Role[] } },
      { path: "audit", element: <p /> },
    ];
    expect(tableProblems(bad)).toEqual([
      `"Audit log" is in the agent's menu but /audit is closed to the agent`,
      `path "audit" is in the table twice`,
    ]);
  });
});
