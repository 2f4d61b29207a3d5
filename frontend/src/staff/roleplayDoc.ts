// A role-play file (quizzes/ROLEPLAYS.md) edited through the yaml package's Document, so keys the editor does
// not know and comments survive every edit.
import { isMap, isSeq, parseDocument, type Document } from "yaml";

export const MOODS = ["furious", "angry", "frustrated", "neutral", "calm", "satisfied", "delighted"] as const;
export const OUTCOMES = ["resolved", "retained", "escalated", "lost"] as const;

export type Path = (string | number)[];

export interface OptionModel { text: string; next: string; mood: number; feedback: string; points: Record<string, number> }
export interface TurnModel { id: string; customer: string; mood: string; kind: "choice" | "free_text"; options: OptionModel[]; prompt: string; next: string }
export interface EndingModel { id: string; outcome: string }
export interface RoleplayModel {
  title: string;
  persona: { name: string; situation: string; mood: string };
  facts: { label: string; value: string }[];
  competencies: { name: string; weight: number }[];
  pass: { overall: number; outcomes: string[] };
  start: string;
  turns: TurnModel[];
  endings: EndingModel[];
  hangupEnding: string;
}

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const num = (v: unknown) => (typeof v === "number" ? v : Number(v) || 0);

export function parse(text: string): Document.Parsed {
  return parseDocument(text, { keepSourceTokens: false });
}

/** The parts of the file the forms edit, read from the document (missing parts read as empty). */
export function modelOf(doc: Document): RoleplayModel {
  const js = (doc.toJS({ maxAliasCount: 50 }) ?? {}) as Record<string, any>;
  const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const arr = (v: unknown) => (Array.isArray(v) ? v : []);
  const persona = obj(js.persona);
  const pass = obj(js.pass);
  return {
    title: str(js.title),
    persona: { name: str(persona.name), situation: str(persona.situation).trim(), mood: str(persona.mood) },
    facts: Object.entries(obj(js.facts)).map(([label, value]) => ({ label, value: str(value) })),
    competencies: Object.entries(obj(js.competencies)).map(([name, weight]) => ({ name, weight: num(weight) })),
    pass: { overall: num(pass.overall), outcomes: arr(pass.outcomes).map(str) },
    start: str(js.start),
    turns: arr(js.turns).map((t) => {
      const turn = obj(t);
      const agent = obj(turn.agent);
      const ft = agent.free_text ? obj(agent.free_text) : null;
      return {
        id: str(turn.id), customer: str(turn.customer), mood: str(turn.mood),
        kind: ft ? "free_text" : "choice",
        options: arr(agent.choice).map((o) => {
          const op = obj(o);
          return { text: str(op.text), next: str(op.next), mood: num(op.mood), feedback: str(op.feedback),
            points: Object.fromEntries(Object.entries(obj(op.points)).map(([k, v]) => [k, num(v)])) };
        }),
        prompt: ft ? str(ft.prompt) : "", next: ft ? str(ft.next) : "",
      } satisfies TurnModel;
    }),
    endings: arr(js.endings).map((e) => ({ id: str(obj(e).id), outcome: str(obj(e).outcome) })),
    hangupEnding: str(obj(js.hangup).ending),
  };
}

/** Sets (or, for "" / undefined, deletes) the value at path, creating maps on the way. */
export function setAt(doc: Document, path: Path, value: unknown) {
  if (value === "" || value === undefined) {
    if (doc.hasIn(path)) doc.deleteIn(path);
    return;
  }
  doc.setIn(path, value);
}

/** Renames a key of the map at path, keeping its place and value. */
export function renameKey(doc: Document, path: Path, from: string, to: string) {
  const map = doc.getIn(path, true);
  if (!isMap(map) || !to || from === to) return;
  const pair = map.items.find((p) => str((p.key as { value?: unknown })?.value ?? p.key) === from);
  if (pair) pair.key = doc.createNode(to) as never;
}

/** Appends item to the sequence at path (creating it). */
export function append(doc: Document, path: Path, item: unknown) {
  const seq = doc.getIn(path, true);
  if (isSeq(seq)) seq.add(doc.createNode(item));
  else doc.setIn(path, [item]);
}

/** Removes the index-th item of the sequence at path. */
export function removeAt(doc: Document, path: Path, index: number) {
  const seq = doc.getIn(path, true);
  if (isSeq(seq)) seq.delete(index);
}

/** A fresh id not used by any turn or ending. */
export function freshId(m: RoleplayModel, base = "turn") {
  const used = new Set([...m.turns.map((t) => t.id), ...m.endings.map((e) => e.id)]);
  for (let i = m.turns.length + 1; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The next ids of a turn, with the option letter each comes from. */
export function edgesOf(t: TurnModel): { label: string; to: string }[] {
  if (t.kind === "free_text") return t.next ? [{ label: "reply", to: t.next }] : [];
  return t.options.map((o, i) => ({ label: String.fromCharCode(65 + i), to: o.next })).filter((e) => e.to);
}

/** A new role-play: one turn, two endings, ready to extend. */
export function starter(title: string): string {
  return `title: ${JSON.stringify(title)}
summary: ""
persona:
  name: The customer
  situation: What happened before the call.
  mood: frustrated
facts:
  Account: ""
competencies:
  empathy: 50
  accuracy: 50
pass:
  overall: 70
  outcomes: [resolved]
attempts_allowed: 0
start: opening
turns:
  - id: opening
    customer: What the customer says first.
    agent:
      choice:
        - text: A good reply.
          points: {empathy: 2, accuracy: 2}
          mood: +1
          next: resolved
        - text: A poor reply.
          points: {empathy: -1}
          mood: -1
          next: lost
          feedback: Why this reply falls short.
endings:
  - id: resolved
    outcome: resolved
    customer: Thank you.
    debrief:
      passed: What the agent did well.
      failed: The call ended well, but the run did not pass.
  - id: lost
    outcome: lost
    debrief: What went wrong.
`;
}
