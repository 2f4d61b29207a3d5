// Saving quiz answers as the agent gives them. Changes are gathered for a
// moment (debounced) and sent in one PUT with the next seq; the server takes
// only seq = its last accepted save + 1. A 409 means another tab or a lost
// response moved seq on: the saver reads the attempt again for the true seq and
// sends the same changes again (answers are whole per question, so sending
// one twice is harmless). Nothing is dropped until the server accepted it.
//
// One answer that does not fit its question never holds the others back: the
// server keeps the rest of the save and names the misfit in `rejected`, and
// the saver keeps it aside, with the reason, until the agent changes it. (A
// whole save refused with 400 whose fields name answers is split the same
// way and the rest sent again at once.)
import { ApiError } from "../api/client";
import type { Answers, QuizAnswer } from "../api/learning";

export type SaveState = "saved" | "pending" | "saving" | "error" | "closed";

/** Question id → why the server did not keep its answer (a sentence). */
export type Rejected = Record<string, string>;

export interface SaverDeps {
  save(seq: number, answers: Answers): Promise<{ seq: number; server_time?: string; deadline?: string | null; rejected?: Rejected }>;
  /** Reads the attempt again: its seq and whether it is still open. */
  reload(): Promise<{ seq: number; status: "open" | "submitted" }>;
  onState?(state: SaveState, error?: string): void;
  /** Called with every change to the answers the server refused. */
  onRejected?(rejected: Rejected): void;
  /** Wait after the last change before sending, in ms. */
  delay?: number;
  /** Wait before sending again after a failed save, in ms. */
  retryDelay?: number;
}

/** The question a field error of a refused save names ("answers.q3.text" → "q3"). */
function answerKey(field: string): string | null {
  const m = /^answers\.([^.]+)/.exec(field);
  return m ? m[1] : null;
}

export class AnswerSaver {
  private seq: number;
  private pending: Answers = {};
  private sending: Answers = {};
  private rejected: Rejected = {};
  private saved: Answers;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<void> | null = null;
  private state: SaveState = "saved";
  private readonly deps: SaverDeps;

  /** seq and saved are the attempt's as the server has them. */
  constructor(seq: number, deps: SaverDeps, saved: Answers = {}) {
    this.seq = seq;
    this.deps = deps;
    this.saved = { ...saved };
  }

  /** The question's answer as the server last kept it (what would be graded now), if any. */
  savedAnswer(questionID: string): QuizAnswer | undefined {
    return this.saved[questionID];
  }

  /** The last seq the server accepted. */
  get lastSeq() {
    return this.seq;
  }

  /** Whether changes wait to be sent or are being sent. */
  get dirty() {
    return Object.keys(this.pending).length > 0 || this.inflight !== null;
  }

  /** The questions whose latest answer the server does not have yet (waiting, being sent, or failed to send). */
  unsaved(): string[] {
    return [...new Set([...Object.keys(this.sending), ...Object.keys(this.pending)])];
  }

  /** The answers the server refused, by question, with the reason. */
  refused(): Rejected {
    return { ...this.rejected };
  }

  /** Records an answer and schedules a save. */
  set(questionID: string, answer: QuizAnswer) {
    if (this.state === "closed") return;
    this.pending[questionID] = answer;
    this.forget(questionID);
    this.setState("pending");
    this.schedule(this.deps.delay ?? 600);
  }

  /**
   * Drops a change not yet sent (the agent typed something the page itself
   * refuses): the server keeps the question's earlier answer.
   */
  discard(questionID: string) {
    delete this.pending[questionID];
    this.forget(questionID);
    if (this.state === "pending" && !this.dirty) this.setState("saved");
  }

  /** Sends everything not yet saved, now; resolves once the server has it (rejects if it cannot). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inflight) await this.inflight.catch(() => {});
    if (!Object.keys(this.pending).length || this.state === "closed") return;
    const batch = this.pending;
    this.pending = {};
    this.sending = batch;
    this.inflight = this.send(batch);
    try {
      await this.inflight;
    } finally {
      this.inflight = null;
      this.sending = {};
    }
  }

  private async send(batch: Answers, retried = false): Promise<void> {
    this.setState("saving");
    try {
      const r = await this.deps.save(this.seq + 1, batch);
      this.seq = r.seq;
      for (const key of Object.keys(batch)) {
        if (key in this.pending) continue; // changed again meanwhile: the next save decides
        const why = r.rejected?.[key];
        if (why) {
          this.rejected[key] = why;
        } else {
          delete this.rejected[key];
          this.saved[key] = batch[key];
        }
      }
      this.deps.onRejected?.(this.refused());
      this.setState(Object.keys(this.pending).length ? "pending" : "saved");
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && !retried) {
        const a = await this.deps.reload().catch(() => null);
        if (a && a.status === "open") {
          this.seq = a.seq;
          return this.send(batch, true);
        }
        if (a && a.status === "submitted") {
          this.setState("closed", "This attempt was submitted; answers can no longer change.");
          throw e;
        }
      }
      if (e instanceof ApiError && e.status === 400) {
        const rest = this.splitRefused(batch, e);
        if (rest && Object.keys(rest).length) return this.send(rest, retried);
        if (rest) {
          this.setState(Object.keys(this.pending).length ? "pending" : "saved");
          return;
        }
      }
      // Keep the batch, under anything newer, so the next save sends it.
      this.pending = { ...batch, ...this.pending };
      this.setState("error", e instanceof Error ? e.message : String(e));
      // Try again by itself a little later (a new answer sends sooner).
      if (!this.timer) this.schedule(this.deps.retryDelay ?? 3000);
      throw e;
    }
  }

  /**
   * Moves the answers a 400 names into rejected and returns the rest of the
   * batch to send again (perhaps nothing), or null when the error names no
   * answer of it (then the whole batch waits, as after any other failure).
   */
  private splitRefused(batch: Answers, e: ApiError): Answers | null {
    const named = new Map<string, string>();
    for (const [field, msg] of Object.entries(e.fields)) {
      const key = answerKey(field);
      if (key && key in batch) named.set(key, msg);
    }
    if (!named.size) return null;
    const rest: Answers = {};
    for (const [key, a] of Object.entries(batch)) {
      if (named.has(key)) this.rejected[key] = named.get(key)!;
      else rest[key] = a;
    }
    this.deps.onRejected?.(this.refused());
    return rest;
  }

  /** Stops saving (after submit, or when the page goes away). */
  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = "closed";
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {});
    }, ms);
  }

  private forget(questionID: string) {
    if (!(questionID in this.rejected)) return;
    delete this.rejected[questionID];
    this.deps.onRejected?.(this.refused());
  }

  private setState(s: SaveState, err?: string) {
    this.state = s;
    this.deps.onState?.(s, err);
  }
}

const SAVE_TEXT: Record<SaveState, string> = {
  saved: "All answers saved",
  pending: "Unsaved changes…",
  saving: "Saving…",
  error: "Not saved yet — trying again",
  closed: "Answers are closed",
};

/** "Question 3", "Questions 3 and 5", "Questions 2, 3 and 5". */
export function questionList(numbers: number[]): string {
  const n = [...numbers].sort((a, b) => a - b);
  if (n.length === 1) return `Question ${n[0]}`;
  return `Questions ${n.slice(0, -1).join(", ")} and ${n.at(-1)}`;
}

/** What the status bar says: the save's state, naming every question whose answer the server does not have. */
export function saveStatus(state: SaveState, problems: number[], unsaved: number[]): string {
  const parts: string[] = [];
  if (state === "closed") return SAVE_TEXT.closed;
  if (problems.length) parts.push(`${questionList(problems)} ${problems.length === 1 ? "is" : "are"} not saved: see the note at the question.`);
  if (state === "error" && unsaved.length) parts.push(`${questionList(unsaved)} ${unsaved.length === 1 ? "is" : "are"} not saved yet — trying again.`);
  return parts.length ? parts.join(" ") : SAVE_TEXT[state];
}
