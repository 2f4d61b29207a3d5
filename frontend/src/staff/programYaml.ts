// program.yaml as a form edits it: through the yaml package's Document, so
// that keys the form does not know and every comment stay as written, and
// so that an importer's problem at a line can be shown at the field whose
// YAML spans that line.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLMap, YAMLSeq, type Document, type Node } from "yaml";
import { drafts, libraryPath } from "../api/drafts";

export type Path = (string | number)[];

export interface Parsed {
  doc: Document.Parsed;
  lines: LineCounter;
  /** YAML syntax errors: the form cannot edit the text until they are fixed in the raw tab. */
  errors: { line: number; message: string }[];
}

export function parseProgram(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false });
  const errors = doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 0, message: e.message.split("\n")[0] }));
  return { doc, lines, errors };
}

/** The key of a form field: its path joined with dots ("certification.valid_days", "modules.2"). */
export const keyOf = (p: Path) => p.join(".");

/** A value at path as plain JS (strings, numbers, booleans, arrays, objects), or undefined. */
export function get(doc: Document, p: Path): unknown {
  const n = doc.getIn(p, true) as Node | undefined;
  if (n === undefined || n === null) return undefined;
  return isScalar(n) ? n.value : (n as Node).toJSON();
}

export function str(doc: Document, p: Path): string {
  const v = get(doc, p);
  return v === undefined || v === null ? "" : String(v);
}

/** The items of a list at path (an empty list when there is none or it is not a list). */
export function items(doc: Document, p: Path): unknown[] {
  const v = get(doc, p);
  return Array.isArray(v) ? v : [];
}

/** Edits a copy of the text's document with fn and returns the new text (comments and unknown keys kept). */
export function edit(text: string, fn: (doc: Document) => void): string {
  const { doc, errors } = parseProgram(text);
  if (errors.length) return text;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  fn(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Sets path to value; "" or undefined removes an optional key. */
export function setValue(doc: Document, p: Path, value: unknown) {
  if (value === undefined || value === "") {
    if (doc.hasIn(p)) doc.deleteIn(p);
    return;
  }
  doc.setIn(p, value);
}

/** The list node at path, made (block style) when missing. */
function seq(doc: Document, p: Path): YAMLSeq {
  let s = doc.getIn(p, true);
  if (!isSeq(s)) {
    s = new YAMLSeq();
    doc.setIn(p, s);
  }
  return s as YAMLSeq;
}

export function appendItem(doc: Document, p: Path, value: unknown) {
  const s = seq(doc, p);
  s.flow = false; // an empty `[]` grows into a block list
  const node = doc.createNode(value);
  if (isMap(node) && p[0] === "onboarding") (node as YAMLMap).flow = true;
  s.items.push(node);
}

export function removeItem(doc: Document, p: Path, i: number) {
  const s = seq(doc, p);
  s.items.splice(i, 1);
  if (s.items.length === 0) doc.deleteIn(p);
}

/** Moves item i of the list at path by delta (-1 up, +1 down). */
export function moveItem(doc: Document, p: Path, i: number, delta: number) {
  const s = seq(doc, p);
  const j = i + delta;
  if (j < 0 || j >= s.items.length) return;
  const [it] = s.items.splice(i, 1);
  s.items.splice(j, 0, it);
}

/** programYAML with slug listed under list (a quiz as its slug, a role-play as {slug}); the same text when it is
 * listed already. */
export function withListed(programYAML: string, list: "quizzes" | "roleplays", slug: string): string {
  let listed = false;
  const next = edit(programYAML, (doc) => {
    listed = items(doc, [list]).some((it) => slugOf(it) === slug);
    if (!listed) appendItem(doc, [list], list === "roleplays" ? { slug } : slug);
  });
  return listed ? programYAML : next;
}

/** The drafts a new quiz or role-play is checked and published with: its program.yaml's draft (the open one, or one
 * opened from the published file) saved listing it, or none when the published program lists it already. The
 * importer refuses a quiz its program does not list, and a role-play the program does not list is not required. */
export async function listingDrafts(client: string, program: string, list: "quizzes" | "roleplays", slug: string): Promise<string[]> {
  const path = libraryPath.program(client, program);
  const published = await drafts.file(client, path);
  if (published !== null && withListed(published, list, slug) === published) return [];
  const pd = await drafts.start({ client, kind: "program", path });
  const next = withListed(pd.body, list, slug);
  if (next !== pd.body) await drafts.save(pd.id, pd.etag, next);
  return [pd.id];
}

/** A quiz or role-play list entry's slug: a plain slug or {slug: …}. */
export function slugOf(item: unknown): string {
  if (typeof item === "string") return item;
  if (item && typeof item === "object" && "slug" in item) return String((item as { slug: unknown }).slug ?? "");
  return "";
}

/** Sets a role-play entry's sign-off, writing it as {slug, signoff} (or back to a plain slug without). */
export function setSignoff(doc: Document, i: number, on: boolean) {
  const s = seq(doc, ["roleplays"]);
  const slug = slugOf((s.items[i] as Node)?.toJSON?.() ?? s.items[i]);
  if (on) {
    const m = doc.createNode({ slug, signoff: true }) as YAMLMap;
    m.flow = true;
    s.items[i] = m;
  } else {
    s.items[i] = doc.createNode(slug);
  }
}

/** The fields a problem's line can be shown at, most specific first. */
export function fieldPaths(doc: Document): Path[] {
  const out: Path[] = [["name"], ["slug"], ["channels"], ["description"], ["serves_only_listed_states"],
    ["certification", "valid_days"], ["certification", "refresher_window_days"], ["certification", "material_change_grace_days"],
    ["refresher", "modules"], ["refresher", "quiz"]];
  for (const list of ["modules", "quizzes", "roleplays", "licenses", "onboarding"]) {
    items(doc, [list]).forEach((_, i) => out.push([list, i]));
    out.push([list]);
  }
  items(doc, ["licenses"]).forEach((_, i) => {
    for (const k of ["class", "lines", "states", "appointment"]) out.push(["licenses", i, k]);
  });
  out.push(["certification"], ["refresher"]);
  return out;
}

/** The 1-based lines [first, last] a field spans: its key's line through its value's end. */
export function linesOf(parsed: Parsed, p: Path): [number, number] | null {
  const { doc, lines } = parsed;
  const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
  const last = p[p.length - 1];
  let start: number | undefined;
  let end: number | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === last);
    if (!pair) return null;
    const k = pair.key as Node;
    const v = pair.value as Node | null;
    start = k.range?.[0];
    end = v?.range?.[1] ?? k.range?.[1];
  } else if (isSeq(parent) && typeof last === "number") {
    const n = parent.items[last] as Node | undefined;
    start = n?.range?.[0];
    end = n?.range?.[1];
  }
  if (start === undefined || end === undefined) return null;
  // A block value's end is the start of the next line: the field ends on the line before it.
  const endPos = lines.linePos(Math.max(start, end - 1));
  return [lines.linePos(start).line, endPos.line];
}

/**
 * Assigns each problem (by line) to the most specific field whose YAML spans its line: key (keyOf) → messages.
 * Problems at no field's line come back in rest.
 */
export function problemsByField(parsed: Parsed, problems: { line: number; message: string }[]) {
  const spans = fieldPaths(parsed.doc)
    .map((p) => ({ key: keyOf(p), span: linesOf(parsed, p) }))
    .filter((s): s is { key: string; span: [number, number] } => s.span !== null);
  const byField: Record<string, string[]> = {};
  const rest: { line: number; message: string }[] = [];
  for (const pr of problems) {
    const hits = spans.filter((s) => pr.line >= s.span[0] && pr.line <= s.span[1]);
    hits.sort((a, b) => a.span[1] - a.span[0] - (b.span[1] - b.span[0]) || b.key.length - a.key.length);
    if (pr.line > 0 && hits.length) (byField[hits[0].key] ??= []).push(pr.message);
    else rest.push(pr);
  }
  return { byField, rest };
}

/** A new program's first text. */
export function newProgramYaml(slug: string, name: string): string {
  return `slug: ${slug}\nname: ${JSON.stringify(name)}\nchannels: [voice]\ndescription: ""\ncertification:\n  valid_days: 365\n  refresher_window_days: 30\n  material_change_grace_days: 14\n`;
}
