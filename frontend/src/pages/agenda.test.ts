import { describe, expect, it } from "vitest";
import type { MyCertificationRecord } from "../api/learning";
import type { AgentPlan, OnboardingTask } from "../api/onboarding";
import { agenda, certDates, licensesToWatch } from "./agenda";

const now = new Date(2026, 11, 7, 10, 0); // Dec 7, 2026

function task(p: Partial<OnboardingTask> & Pick<OnboardingTask, "slug" | "due_date">): OnboardingTask {
  return { id: p.slug, cohort_id: "c", user_id: "u", program_id: "p1", position: 1, day: 1, kind: "module", status: "not_started", action: "read",
    title: p.slug, program_name: "Card services", link: "/training/p1", ...p };
}

function plan(tasks: OnboardingTask[]): AgentPlan {
  return { cohort_id: "c", cohort_name: "C", user_id: "u", email: "e", display_name: "E", first_day: "2026-12-01", status: "behind", done: 0, overdue: 0, tasks };
}

function cert(p: Partial<MyCertificationRecord>): MyCertificationRecord {
  return { id: "x", user_id: "u", program_id: "p1", program_name: "Card services", client_id: "k", state: "in_training",
    enrolled_at: "2026-11-01T00:00:00Z", enrolled_by: "t", updated_at: "2026-11-01T00:00:00Z",
    progress: { modules: [], quizzes: [], roleplays: [], left: [], complete: false }, ...p };
}

type Progress = MyCertificationRecord["progress"];
const mod = (module_id: string, status: Progress["modules"][number]["status"]): Progress["modules"][number] =>
  ({ module_id, slug: module_id, title: module_id, status, core: false, current_version: 1, completed_at: null, completed_version: null });
const passedQuiz = (slug: string): Progress["quizzes"][number] =>
  ({ slug, passed: true, attempts: 1, best_percent: 90, last_pass_at: null, passed_at: null });

/** A local time as the API would send it. */
const at = (y: number, m: number, d: number) => new Date(y, m - 1, d, 10, 0).toISOString();

const titles = (_p: string, kind: string, slug: string) => (kind === "module" && slug === "fees" ? "Card fees" : undefined);

describe("the agent's agenda", () => {
  it("leads with what is overdue, then the plan by due date, by the titles the API gives", () => {
    const a = agenda([plan([
      task({ slug: "later", due_date: "2026-12-20", position: 3 }),
      task({ slug: "fees", title: "Card fees", due_date: "2026-12-04", position: 1, status: "overdue", module_id: "m1" }),
      task({ slug: "quiz-1", kind: "quiz", due_date: "2026-12-09", position: 2, title: "Fees quiz" }),
      task({ slug: "done", due_date: "2026-12-01", status: "done" }),
    ])], [cert({})], titles, now);
    expect(a.next).toMatchObject({ title: "Card fees", action: "read", overdue: true, to: "/training/p1/modules/m1", programName: "Card services" });
    expect(a.soon.map((t) => t.title)).toEqual(["Fees quiz"]);
    expect(a.soon[0]).toMatchObject({ action: "pass", to: "/training/p1" });
    expect(a.all.map((t) => t.title)).toEqual(["Card fees", "Fees quiz", "later"]);
    expect(a.overdue).toEqual([]);
  });

  it("continues a started module, and lists a certification's requirements once", () => {
    const a = agenda([plan([task({ slug: "fees", title: "Card fees", due_date: "2026-12-08", status: "in_progress", module_id: "m1" })])], [cert({
      progress: {
        modules: [], quizzes: [], roleplays: [], complete: false,
        left: [
          { kind: "module", slug: "fees", id: "m1", action: "read" },
          { kind: "roleplay", slug: "angry-caller", id: "", action: "signoff" },
          { kind: "quiz", slug: "final", id: "q1", action: "pass" },
        ],
      },
    })], titles, now);
    expect(a.all.map((t) => `${t.action}:${t.title}`)).toEqual(["continue:Card fees", "signoff:angry-caller", "pass:final"]);
    expect(a.next?.title).toBe("Card fees");
  });

  it("never offers a sign-off as the next task, and puts a refresher before first certifications", () => {
    const a = agenda([], [
      cert({ program_id: "p1", progress: { modules: [], quizzes: [], roleplays: [], complete: false, left: [{ kind: "roleplay", slug: "rp", id: "", action: "signoff" }] } }),
      cert({ program_id: "p2", program_name: "Billing", state: "refresher_due", refresher_due_at: "2026-12-10T00:00:00Z",
        progress: { modules: [], quizzes: [], roleplays: [], complete: false, left: [{ kind: "module", slug: "rates", id: "m9", action: "reread" }] } }),
    ], titles, now);
    expect(a.next).toMatchObject({ title: "rates", action: "reread", programName: "Billing", due: "2026-12-10T00:00:00Z" });
    expect(a.all.map((t) => t.action)).toEqual(["reread", "signoff"]);
  });

  it("has nothing next when nothing is left", () => {
    expect(agenda([], [cert({ state: "certified" })], titles, now).next).toBeNull();
  });
});

describe("certification dates and licenses to watch", () => {
  it("says a certification's dates in a sentence", () => {
    expect(certDates(cert({ state: "certified", certified_at: at(2026, 5, 21), expires_at: at(2027, 5, 21), refresher_opens_at: at(2027, 4, 21) }), now))
      .toBe("Certified May 21, 2026; expires May 21, 2027; the refresher opens Apr 21, 2027.");
    expect(certDates(cert({ state: "refresher_due", refresher_due_at: at(2026, 12, 17), expires_at: at(2027, 1, 8) }), now))
      .toBe("Refresher due by Dec 17, 2026 (in 10 days); expires Jan 8, 2027.");
    expect(certDates(cert({ progress: { modules: [mod("a", "done"), mod("b", "not_started")], quizzes: [passedQuiz("q")], roleplays: [], left: [], complete: false } }), now))
      .toBe("2 of 3 requirements done.");
  });

  it("watches licenses not verified yet and those expiring soon", () => {
    const l = (status: string, expiry_date: string) => ({ status, expiry_date });
    const got = licensesToWatch([l("verified", "2026-12-28"), l("verified", "2028-01-01"), l("pending", "2028-01-01"), l("revoked", "2026-12-10")], 60, now);
    expect(got.map((x) => `${x.status} ${x.expiry_date}`)).toEqual(["verified 2026-12-28", "pending 2028-01-01"]);
  });
});
