// A module file's front matter as form fields: the simple `key: value` lines
// the library's modules use. A file whose front matter has anything else
// (a folded or multi-line value) is edited as a whole file instead.

export interface ModuleFile {
  /** The front matter's keys in their order, with their values as text. */
  fields: [string, string][];
  body: string;
}

function readValue(raw: string): string | null {
  const v = raw.trim();
  if (v === "") return "";
  if (v.startsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return null;
    }
  }
  if (v.startsWith("'")) return v.endsWith("'") && v.length > 1 ? v.slice(1, -1).replace(/''/g, "'") : null;
  if (v === "|" || v === ">" || v.startsWith("|") || v.startsWith(">") || v.startsWith("[") || v.startsWith("{")) return null;
  return v;
}

/** Splits a module file into its front matter fields and body; null when the fields cannot be edited one by one. */
export function splitModule(source: string): ModuleFile | null {
  const lines = source.split("\n");
  if (lines[0] !== "---") return null;
  const end = lines.indexOf("---", 1);
  if (end < 0) return null;
  const fields: [string, string][] = [];
  for (const line of lines.slice(1, end)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const m = /^([a-z_]+):(.*)$/.exec(line);
    if (!m) return null;
    const v = readValue(m[2]);
    if (v === null) return null;
    fields.push([m[1], v]);
  }
  return { fields, body: lines.slice(end + 1).join("\n") };
}

function writeValue(v: string): string {
  if (v === "") return "";
  const plain = /^[A-Za-z0-9(][^#:]*$/.test(v) && !/\s$/.test(v) && !/^(true|false|null|yes|no|~)$/i.test(v);
  return plain ? v : JSON.stringify(v);
}

/** Joins front matter fields and a body back into a module file. */
export function joinModule(f: ModuleFile): string {
  const head = f.fields.map(([k, v]) => (v === "" ? `${k}:` : `${k}: ${writeValue(v)}`)).join("\n");
  return `---\n${head}\n---\n${f.body}`;
}

/** The value of a front matter field, "" when absent. */
export function field(f: ModuleFile, key: string): string {
  return f.fields.find(([k]) => k === key)?.[1] ?? "";
}

/** f with the field set (added after the last field when absent). */
export function withField(f: ModuleFile, key: string, value: string): ModuleFile {
  const has = f.fields.some(([k]) => k === key);
  return { ...f, fields: has ? f.fields.map(([k, v]) => [k, k === key ? value : v]) : [...f.fields, [key, value]] };
}
