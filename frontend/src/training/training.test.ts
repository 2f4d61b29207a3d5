import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { ProgramDetail, ModuleProgress, QuizSummary, RequiredModule } from "../api/learning";
import { standing } from "./plan";
import { AnswerSaver, saveStatus } from "./saver";
import { clozeProblem, inlineMarkdown, isAnswered, rereadLink, splitCloze } from "./text";
import { clockOffset, formatRemaining, remainingMs, spokenRemaining } from "./timer";

describe("timer", () => {
  it("takes the server's clock: a local clock 10 minutes fast changes nothing", () => {
    const realNow = Date.parse("2030-01-01T12:00:00Z");
    const skew = 10 * 60_000;
    // The request left at local time realNow+skew and came back 200 ms later.
    const offset = clockOffset("2030-01-01T12:00:00.100Z", realNow + skew, realNow + skew + 200);
    expect(offset).toBe(-skew);
    // 100 ms after the server answered, 20 minutes less 100 ms remain.
    expect(remainingMs("2030-01-01T12:20:00.100Z", offset, realNow + skew + 200)).toBe(20 * 60_000 - 100);
  });

  it.each([
    { deadline: null, want: null },
    { deadline: "2030-01-01T00:00:30Z", want: 30_000 },
    { deadline: "2029-12-31T23:59:00Z", want: 0 },
  ])("remaining until $deadline is $want", ({ deadline, want }) => {
    expect(remainingMs(deadline, 0, Date.parse("2030-01-01T00:00:00Z"))).toBe(want);
  });

  it.each([
    [0, "0:00", "Time is up"],
    [7_000, "0:07", "10 seconds left"],
    [59_001, "1:00", "1 minute left"],
    [61_000, "1:01", "2 minutes left"],
    [20 * 60_000, "20:00", "20 minutes left"],
    [3_909_000, "1:05:09", "66 minutes left"],
  ])("%d ms shows %s and says %s", (ms, shown, spoken) => {
    expect(formatRemaining(ms)).toBe(shown);
    expect(spokenRemaining(ms)).toBe(spoken);
  });
});

describe("AnswerSaver", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("debounces changes into one save with the next seq", async () => {
    const save = vi.fn(async (seq: number) => ({ seq }));
    const s = new AnswerSaver(3, { save, reload: vi.fn(), delay: 500 });
    s.set("q1", { choices: ["a"] });
    s.set("q2", { text: "15" });
    s.set("q1", { choices: ["b"] });
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith(4, { q1: { choices: ["b"] }, q2: { text: "15" } });
    expect(s.lastSeq).toBe(4);
    expect(s.dirty).toBe(false);
  });

  it("on a 409 reads the attempt's seq and sends the same answers again", async () => {
    const sent: [number, unknown][] = [];
    const save = vi.fn(async (seq: number, a: unknown) => {
      sent.push([seq, a]);
      if (seq !== 8) throw new ApiError(409, "conflict", "seq must be 8");
      return { seq };
    });
    const reload = vi.fn(async () => ({ seq: 7, status: "open" as const }));
    const states: string[] = [];
    const s = new AnswerSaver(2, { save, reload, onState: (st) => states.push(st) });
    s.set("q1", { choices: ["a"] });
    await s.flush();
    expect(sent).toEqual([[3, { q1: { choices: ["a"] } }], [8, { q1: { choices: ["a"] } }]]);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(s.lastSeq).toBe(8);
    expect(states.at(-1)).toBe("saved");
  });

  it("keeps answers a failed save carried and sends them with the next one", async () => {
    let fail = true;
    const save = vi.fn(async (seq: number) => {
      if (fail) throw new ApiError(0, "unavailable", "offline");
      return { seq };
    });
    const s = new AnswerSaver(0, { save, reload: vi.fn(), retryDelay: 3000 });
    s.set("q1", { text: "a" });
    await expect(s.flush()).rejects.toThrow("offline");
    expect(s.dirty).toBe(true);
    fail = false;
    s.set("q2", { text: "b" });
    await s.flush();
    expect(save).toHaveBeenLastCalledWith(1, { q1: { text: "a" }, q2: { text: "b" } });
    expect(s.dirty).toBe(false);
  });

  it("retries by itself after a failure", async () => {
    let calls = 0;
    const save = vi.fn(async (seq: number) => {
      if (calls++ === 0) throw new ApiError(503, "unavailable", "busy");
      return { seq };
    });
    const s = new AnswerSaver(0, { save, reload: vi.fn(), retryDelay: 3000 });
    s.set("q1", { text: "a" });
    await s.flush().catch(() => {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(save).toHaveBeenCalledTimes(2);
    expect(s.lastSeq).toBe(1);
  });

  it("stops when the attempt turns out submitted", async () => {
    const save = vi.fn(async () => { throw new ApiError(409, "conflict", "submitted"); });
    const reload = vi.fn(async () => ({ seq: 4, status: "submitted" as const }));
    const states: string[] = [];
    const s = new AnswerSaver(4, { save, reload, onState: (st) => states.push(st) });
    s.set("q1", { text: "a" });
    await expect(s.flush()).rejects.toThrow();
    expect(save).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toBe("closed");
  });
});

describe("AnswerSaver with answers that do not fit", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps a refused answer aside with its reason and the others saved", async () => {
    const save = vi.fn(async (seq: number) => ({ seq, rejected: { q2: "Enter only a number." } }));
    const seen: Record<string, string>[] = [];
    const s = new AnswerSaver(0, { save, reload: vi.fn(), onRejected: (r) => seen.push(r) }, { q2: { text: "10" } });
    s.set("q1", { choices: ["a"] });
    s.set("q2", { text: "ten" });
    await s.flush();
    expect(s.refused()).toEqual({ q2: "Enter only a number." });
    expect(seen.at(-1)).toEqual({ q2: "Enter only a number." });
    expect(s.savedAnswer("q1")).toEqual({ choices: ["a"] });
    expect(s.savedAnswer("q2")).toEqual({ text: "10" });
    expect(s.unsaved()).toEqual([]);
    // Changing the answer forgets the reason; the next save decides again.
    s.set("q2", { text: "12" });
    expect(s.refused()).toEqual({});
  });

  it("splits a save refused with 400 naming an answer and sends the rest again at once", async () => {
    const sent: [number, unknown][] = [];
    const save = vi.fn(async (seq: number, a: Record<string, unknown>) => {
      sent.push([seq, a]);
      if ("q2" in a) throw new ApiError(400, "invalid", "bad answer", { "answers.q2.text": "Text cannot contain NUL." });
      return { seq, rejected: {} };
    });
    const s = new AnswerSaver(5, { save, reload: vi.fn() });
    s.set("q1", { text: "a" });
    s.set("q2", { text: "b\u0000" });
    await s.flush();
    expect(sent).toEqual([[6, { q1: { text: "a" }, q2: { text: "b\u0000" } }], [6, { q1: { text: "a" } }]]);
    expect(s.refused()).toEqual({ q2: "Text cannot contain NUL." });
    expect(s.lastSeq).toBe(6);
    expect(s.dirty).toBe(false);
  });

  it("a 400 naming no answer keeps the whole batch for the next try", async () => {
    const save = vi.fn(async () => { throw new ApiError(400, "invalid", "seq is required", { seq: "required" }); });
    const s = new AnswerSaver(0, { save, reload: vi.fn(), retryDelay: 3000 });
    s.set("q1", { text: "a" });
    await expect(s.flush()).rejects.toThrow("seq is required");
    expect(s.unsaved()).toEqual(["q1"]);
  });

  it("discard drops a change not yet sent", async () => {
    const save = vi.fn(async (seq: number) => ({ seq, rejected: {} }));
    const s = new AnswerSaver(0, { save, reload: vi.fn(), delay: 500 });
    s.set("q1", { text: "1" });
    s.discard("q1");
    await vi.advanceTimersByTimeAsync(500);
    expect(save).not.toHaveBeenCalled();
    expect(s.dirty).toBe(false);
  });
});

describe("saveStatus", () => {
  it.each([
    ["saved", [], [], "All answers saved"],
    ["saving", [], [], "Saving…"],
    ["saved", [3], [], "Question 3 is not saved: see the note at the question."],
    ["error", [], [5, 2], "Questions 2 and 5 are not saved yet — trying again."],
    ["error", [4], [1, 2, 6], "Question 4 is not saved: see the note at the question. Questions 1, 2 and 6 are not saved yet — trying again."],
    ["closed", [3], [], "Answers are closed"],
  ] as const)("%s with problems %j and unsaved %j", (state, problems, unsaved, want) => {
    expect(saveStatus(state, [...problems], [...unsaved])).toBe(want);
  });
});

describe("inlineMarkdown", () => {
  it.each([
    ["Which does **Care + Accident** cover?", "markdown", "Which does <strong>Care + Accident</strong> cover?"],
    ["an *opened* item and `code`", "markdown", "an <em>opened</em> item and <code>code</code>"],
    ["<img src=x onerror=alert(1)> **b**", "markdown", "&lt;img src=x onerror=alert(1)&gt; <strong>b</strong>"],
    ["**not bold** here", "plain", "**not bold** here"],
    ["<b>bold</b><script>x()</script>", "html", "boldx()"],
    [`<p>Which light? <img src="/api/v1/question-files/${"a".repeat(64)}" alt="a red &quot;light&quot;"></p>`, "html", `Which light? <img class="q-img" src="/api/v1/question-files/${"a".repeat(64)}" alt="a red &quot;light&quot;">`],
    ['<img src="https://evil.test/x.png" onerror="alert(1)">A<br/>B<p>C</p>', "html", "A<br>B<br>C"],
    ['<img src="@@PLUGINFILE@@/map.png">x', "html", "x"],
    ["5 * 3 * 2", "markdown", "5 * 3 * 2"],
  ] as const)("%s (%s)", (text, format, want) => {
    expect(inlineMarkdown(text, format)).toBe(want);
  });
});

const mod = (slug: string, core = false, id = slug): RequiredModule => ({
  module_id: id, slug, core, current_version: 1, kind: core ? "core-skill" : "policy", title: slug.toUpperCase(), minutes: 5,
});

describe("rereadLink", () => {
  const modules = [mod("returns-and-warranty", false, "m1"), mod("empathy", true, "m2")];
  it.each([
    ["returns-and-warranty#return-windows", "/training/p1/modules/m1#return-windows"],
    ["core/empathy#say-it", "/training/p1/modules/m2#say-it"],
    ["returns-and-warranty", "/training/p1/modules/m1"],
    ["unknown#x", null],
  ])("%s → %s", (target, want) => {
    expect(rereadLink("p1", modules, target)?.to ?? null).toBe(want);
  });
});

describe("isAnswered", () => {
  it.each([
    ["single_choice", { choices: ["a"] }, true],
    ["single_choice", { choices: [] }, false],
    ["numeric", { text: "  " }, false],
    ["numeric", { text: "15" }, true],
    ["matching", { matches: { l1: "" } }, false],
    ["matching", { matches: { l1: "r1" } }, true],
    ["short_answer", undefined, false],
    ["cloze", { gaps: { "1": " " } }, false],
    ["cloze", { gaps: {} }, false],
    ["cloze", { gaps: { "1": "", "2": "x" } }, true],
  ] as const)("%s %j → %s", (type, a, want) => {
    expect(isAnswered(type, a as Parameters<typeof isAnswered>[1])).toBe(want);
  });
});

describe("splitCloze", () => {
  it.each([
    ["Fee {{gap:1}}% on {{gap:2}}.", [{ text: "Fee " }, { gap: "1" }, { text: "% on " }, { gap: "2" }, { text: "." }]],
    ["{{gap:1}}{{gap:12}}", [{ gap: "1" }, { gap: "12" }]],
    ["no gaps {{gap:x}} {1:SA:=a}", [{ text: "no gaps {{gap:x}} {1:SA:=a}" }]],
    ["", []],
  ] as const)("%j", (text, want) => {
    expect(splitCloze(text)).toEqual(want);
  });
});

describe("clozeProblem", () => {
  const gaps = [
    { id: "1", kind: "choice" as const, points: 1, options: [{ id: "o1", text: "a" }] },
    { id: "2", kind: "short" as const, points: 1 },
    { id: "3", kind: "numeric" as const, points: 1 },
  ];
  it.each([
    [{ "1": "o1", "2": "12,5", "3": "12.5" }, null],
    [{ "3": "" }, null],
    [{ "3": "1,200" }, null],
    [{ "3": "12,5" }, { gap: "3", reason: "Gap 3: Use a point for decimals, such as 12.5.", text: "12,5" }],
    [{ "3": "$12" }, { gap: "3", reason: "Gap 3: Enter only a number, without words, units or currency signs, such as 1,200 or 12.5.", text: "$12" }],
  ])("%j", (answer, want) => {
    expect(clozeProblem(gaps, answer)).toEqual(want);
  });
});

describe("standing", () => {
  const program = {
    id: "p1",
    requirements: {
      modules: [mod("a", false, "ma"), mod("b", false, "mb"), mod("empathy", true, "mc")],
      quizzes: ["q"],
      roleplays: [{ slug: "r", signoff: false }],
      licenses: [],
      onboarding: [
        { day: 2, kind: "module", slug: "b", module_id: "mb" },
        { day: 1, kind: "module", slug: "core/empathy", module_id: "mc" },
        { day: 3, kind: "quiz", slug: "q" },
      ],
      certification: { valid_days: 365, refresher_window_days: 30, material_change_grace_days: 14 },
    },
  } as unknown as ProgramDetail;
  const progress = (id: string, status: ModuleProgress["status"]) => ({ module_id: id, status, title: id }) as ModuleProgress;

  it("orders by the plan, then the rest, and finds what is next", () => {
    const s = standing(program, [progress("mc", "completed"), progress("mb", "outdated"), progress("ma", "not_started")],
      [{ slug: "q", id: "qid", title: "Quiz", my_attempts: { passed: false } } as QuizSummary], null);
    expect(s.steps.map((x) => `${x.day ?? "-"} ${x.kind} ${x.slug} ${x.done ? "done" : x.outdated ? "outdated" : "todo"}`)).toEqual([
      "1 module core/empathy done", "2 module b outdated", "3 quiz q todo", "- module a todo", "- roleplay r todo",
    ]);
    expect(s.next?.slug).toBe("b");
    expect(s.done).toBe(1);
    expect(s.total).toBe(5);
  });

  it("counts a passed quiz and role-play as done", () => {
    const s = standing(program, ["ma", "mb", "mc"].map((m) => progress(m, "completed")),
      [{ slug: "q", id: "qid", title: "Quiz", my_attempts: { passed: true } } as QuizSummary],
      [{ slug: "r", id: "rid", title: "R", passed: true } as never]);
    expect(s.done).toBe(5);
    expect(s.next).toBeNull();
  });
});
