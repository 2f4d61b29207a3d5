// Helpers for the agent's end-to-end tests: enrollment through the API, the
// right answers read from the demo quiz files, and role-play ids.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { APIRequestContext, Page } from "@playwright/test";
import { parse } from "yaml";
import { account, type Role } from "./fixtures";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** An access token for a demo account. */
export async function token(request: APIRequestContext, role: Role): Promise<string> {
  const r = await request.post("/api/v1/auth/login", { data: { ...account(role), refresh_token_delivery: "body" } });
  if (!r.ok()) throw new Error(`login ${role}: ${r.status()}`);
  return (await r.json()).access_token;
}

/** Enrolls the demo agent in every program, as the admin would (already enrolled is fine). Returns the programs by slug. */
export async function enrollAgent(request: APIRequestContext): Promise<Record<string, string>> {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const agent = { Authorization: `Bearer ${await token(request, "agent")}` };
  const me = await (await request.get("/api/v1/me", { headers: agent })).json();
  const { programs } = await (await request.get("/api/v1/programs", { headers: admin })).json();
  const bySlug: Record<string, string> = {};
  for (const p of programs as { id: string; slug: string }[]) {
    bySlug[p.slug] = p.id;
    const r = await request.post(`/api/v1/programs/${p.id}/enrollments`, { headers: admin, data: { user_id: me.id } });
    if (r.status() !== 201 && r.status() !== 409) throw new Error(`enroll in ${p.slug}: ${r.status()} ${await r.text()}`);
  }
  return bySlug;
}

interface YamlOption { id?: string; text: string; correct?: boolean }
interface YamlQuestion {
  id: string;
  type: string;
  options?: YamlOption[];
  answer?: boolean;
  answers?: (string | number | { text?: string; value?: number; min?: number; weight?: number })[];
  pairs?: { left: string; right: string }[];
  text?: string;
}

/** The full-credit answer of each gap of a cloze question's text ({1:MULTICHOICE:=right~wrong}, {1:SHORTANSWER:=a}, {1:NUMERICAL:=10:0.5}). */
function clozeKey(text: string): { type: string; answer: string }[] {
  const gaps: { type: string; answer: string }[] = [];
  for (const m of text.matchAll(/\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}/g)) {
    const right = m[3].split(/(?<!\\)~/).find((a) => a.trimStart().startsWith("="))!;
    const answer = right.trimStart().slice(1).split(/(?<!\\)#/)[0].replace(/\\(.)/g, "$1").trim();
    gaps.push({ type: m[2].toUpperCase(), answer: m[2].toUpperCase().startsWith("N") ? answer.split(":")[0] : answer });
  }
  return gaps;
}

/** The demo quiz's questions with their answer keys, by id. */
export function quizKey(file: string): Map<string, YamlQuestion> {
  const doc = parse(readFileSync(`${root}quizzes/${file}`, "utf8")) as { questions: YamlQuestion[] };
  return new Map(doc.questions.map((q) => [q.id, q]));
}

const plain = (s: string) => s.replace(/\*\*|__|`/g, "");

/** Gives the right answer to one drawn question through the page, as a person would. */
export async function answerRight(page: Page, q: YamlQuestion) {
  const box = page.locator(`[id="q-${q.id}"]`);
  const full = (a: NonNullable<YamlQuestion["answers"]>[number]) => typeof a !== "object" || (a.weight ?? 100) === 100;
  switch (q.type) {
    case "single_choice":
      await box.getByRole("radio", { name: plain(q.options!.find((o) => o.correct)!.text), exact: true }).check();
      return;
    case "true_false":
      await box.getByRole("radio", { name: q.answer ? "True" : "False", exact: true }).check();
      return;
    case "multiple_response":
      for (const o of q.options!.filter((x) => x.correct)) await box.getByRole("checkbox", { name: plain(o.text), exact: true }).check();
      return;
    case "numeric": {
      const a = q.answers!.find(full)!;
      await box.getByRole("textbox").fill(String(typeof a === "object" ? a.value ?? a.min : a));
      return;
    }
    case "short_answer": {
      const a = q.answers!.find(full)!;
      await box.getByRole("textbox").fill(typeof a === "object" ? a.text! : String(a));
      return;
    }
    case "matching":
      for (const p of q.pairs!) await box.getByLabel(p.left, { exact: true }).selectOption({ label: p.right });
      return;
    case "cloze": {
      const gaps = clozeKey(q.text!);
      for (const [i, g] of gaps.entries()) {
        const name = `Gap ${i + 1} of ${gaps.length}`;
        if (/^(MULTICHOICE|MC)(_?S)?$/.test(g.type)) await box.getByRole("combobox", { name, exact: true }).selectOption({ label: g.answer });
        else if (/^(MULTICHOICE_|MC)[VH]/.test(g.type)) await box.getByRole("radiogroup", { name, exact: true }).getByRole("radio", { name: plain(g.answer), exact: true }).check();
        else if (/^(NUMERICAL|NM)$/.test(g.type)) await box.getByRole("textbox", { name: `${name} (a number)`, exact: true }).fill(g.answer);
        else await box.getByRole("textbox", { name, exact: true }).fill(g.answer);
      }
      return;
    }
    default:
      throw new Error(`no answer for ${q.type}`);
  }
}

/** Completes every module of the program as the agent would (opened, then marked complete), through the API. */
export async function completeModules(request: APIRequestContext, agent: { email: string; password: string }, programID: string) {
  const r = await request.post("/api/v1/auth/login", { data: { email: agent.email, password: agent.password, refresh_token_delivery: "body" } });
  if (!r.ok()) throw new Error(`login ${agent.email}: ${r.status()}`);
  const headers = { Authorization: `Bearer ${(await r.json()).access_token}` };
  const program = await (await request.get(`/api/v1/programs/${programID}`, { headers })).json();
  for (const m of program.requirements.modules as { module_id: string; current_version: number }[]) {
    await request.get(`/api/v1/modules/${m.module_id}`, { headers });
    const done = await request.post(`/api/v1/modules/${m.module_id}/complete`, { headers, data: { version: m.current_version } });
    if (!done.ok()) throw new Error(`complete ${m.module_id}: ${done.status()} ${await done.text()}`);
  }
}
