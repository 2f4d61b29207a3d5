// Editing a quiz.yaml through the yaml package's Document, so that comments,
// key order and keys the editor does not know survive every edit.
import { isMap, isSeq, parseDocument, type Document } from "yaml";

export type Plain = Record<string, unknown>;

/** The settings the editor shows as fields, by key of quiz.yaml. */
export const SETTINGS = ["title", "pass_percent", "questions_per_attempt", "shuffle_questions", "shuffle_options",
  "time_limit", "attempts_allowed", "wait_between_attempts", "grading", "review"] as const;

export const QUESTION_TYPES = [
  ["single_choice", "Single choice"], ["multiple_response", "Multiple response"], ["true_false", "True / false"],
  ["short_answer", "Short answer"], ["numeric", "Numeric"], ["matching", "Matching"], ["cloze", "Cloze (gaps in a text)"],
] as const;

export function parse(text: string): Document {
  return parseDocument(text, { keepSourceTokens: false });
}

/** The text with the document changed by edit; the text as it was when it does not parse. */
export function edit(text: string, change: (doc: Document) => void): string {
  const doc = parse(text);
  if (doc.errors.length > 0) return text;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as typeof doc.contents;
  change(doc);
  return doc.toString();
}

/** Sets a top-level key, or removes it when value is "" or undefined. */
export function setKey(text: string, key: string, value: unknown): string {
  return edit(text, (doc) => {
    if (value === "" || value === undefined || value === null) doc.delete(key);
    else doc.set(key, value);
  });
}

export function getKey(text: string, key: string): unknown {
  const doc = parse(text);
  const v = doc.get(key);
  return v && typeof v === "object" && "toJSON" in v ? (v as { toJSON: () => unknown }).toJSON() : v;
}

/** The inline questions as plain objects. */
export function questions(text: string): Plain[] {
  const doc = parse(text);
  const seq = doc.get("questions");
  if (!isSeq(seq)) return [];
  return seq.items.map((it) => (isMap(it) ? (it.toJSON() as Plain) : {}));
}

/** Replaces question i (appends when i is the count; removes when q is null). */
export function setQuestion(text: string, i: number, q: Plain | null): string {
  return edit(text, (doc) => {
    let seq = doc.get("questions");
    if (!isSeq(seq)) {
      doc.set("questions", doc.createNode([]));
      seq = doc.get("questions");
    }
    if (!isSeq(seq)) return;
    seq.flow = false; // "questions: []" grows into a block list
    if (q === null) seq.items.splice(i, 1);
    else if (i >= seq.items.length) seq.items.push(doc.createNode(clean(q)));
    else {
      const before = seq.items[i];
      const node = doc.createNode(clean(q));
      if (isMap(before) && isMap(node)) node.commentBefore = before.commentBefore;
      seq.items[i] = node;
    }
  });
}

/** q without empty values, so the file says only what was given. */
export function clean(q: Plain): Plain {
  const out: Plain = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === "" || v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = Array.isArray(v) ? v.map((x) => (x && typeof x === "object" ? clean(x as Plain) : x)) : v;
  }
  return out;
}

/** A new question of type, with what it needs to be valid. */
export function newQuestion(type: string, n: number): Plain {
  const base: Plain = { id: `q${n}`, type, text: "" };
  switch (type) {
    case "single_choice":
      return { ...base, options: [{ text: "", correct: true }, { text: "" }] };
    case "multiple_response":
      return { ...base, options: [{ text: "", correct: true }, { text: "", correct: true }, { text: "" }] };
    case "true_false":
      return { ...base, answer: true };
    case "short_answer":
      return { ...base, answers: [""] };
    case "numeric":
      return { ...base, answers: [{ value: 0 }] };
    case "matching":
      return { ...base, pairs: [{ left: "", right: "" }, { left: "", right: "" }] };
    case "cloze":
      return { ...base, text: "The fee is {1:NUMERICAL:=25:0} dollars." };
  }
  return base;
}

/** Minimal quiz file a new quiz starts from. */
export function newQuizFile(title: string): string {
  return `title: ${JSON.stringify(title)}\npass_percent: 70\nquestions: []\n`;
}
