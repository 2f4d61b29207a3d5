// Saving quiz answers as the agent gives them. Changes are gathered for a
// moment (debounced) and sent in one PUT with the next seq; the server takes
// only seq = its last accepted save + 1. A 409 means another tab or a lost
// response moved seq on: the saver reads the attempt again for the true seq and
// sends the same changes again (answers are whole per question, so sending
// one twice is harmless). Nothing is dropped until the server accepted it.
import { ApiError } from "../api/client";
import type { Answers, QuizAnswer } from "../api/learning";

export type SaveState = "saved" | "pending" | "saving" | "error" | "closed";

export interface SaverDeps {
  save(seq: number, answers: Answers): Promise<{ seq: number; server_time?: string; deadline?: string | null }>;
  /** Reads the attempt again: its seq and whether it is still open. */
  reload(): Promise<{ seq: number; status: "open" | "submitted" }>;
  onState?(state: SaveState, error?: string): void;
  /** Wait after the last change before sending, in ms. */
  delay?: number;
  /** Wait before sending again after a failed save, in ms. */
  retryDelay?: number;
}

export class AnswerSaver {
  private seq: number;
  private pending: Answers = {};
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<void> | null = null;
  private state: SaveState = "saved";
  private readonly deps: SaverDeps;

  constructor(seq: number, deps: SaverDeps) {
    this.seq = seq;
    this.deps = deps;
  }

  /** The last seq the server accepted. */
  get lastSeq() {
    return this.seq;
  }

  /** Whether changes wait to be sent or are being sent. */
  get dirty() {
    return Object.keys(this.pending).length > 0 || this.inflight !== null;
  }

  /** Records an answer and schedules a save. */
  set(questionID: string, answer: QuizAnswer) {
    if (this.state === "closed") return;
    this.pending[questionID] = answer;
    this.setState("pending");
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {});
    }, this.deps.delay ?? 600);
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
    this.inflight = this.send(batch);
    try {
      await this.inflight;
    } finally {
      this.inflight = null;
    }
  }

  private async send(batch: Answers, retried = false): Promise<void> {
    this.setState("saving");
    try {
      const r = await this.deps.save(this.seq + 1, batch);
      this.seq = r.seq;
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
      // Keep the batch, under anything newer, so the next save sends it.
      this.pending = { ...batch, ...this.pending };
      this.setState("error", e instanceof Error ? e.message : String(e));
      // Try again by itself a little later (a new answer sends sooner).
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.flush().catch(() => {});
        }, this.deps.retryDelay ?? 3000);
      }
      throw e;
    }
  }

  /** Stops saving (after submit, or when the page goes away). */
  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = "closed";
  }

  private setState(s: SaveState, err?: string) {
    this.state = s;
    this.deps.onState?.(s, err);
  }
}
