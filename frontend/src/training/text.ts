// Small text helpers for question texts (markdown from the quiz files) and
// links from "module#heading" references to the module reader.
import type { PublicGap, QuestionType, RequiredModule } from "../api/learning";
import { parseTypedNumber } from "../lib/number";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

/** Where the server serves a question's images (by the SHA-256 of their content). */
const QUESTION_FILE = /^\/api\/v1\/question-files\/[0-9a-f]{64}$/;

/**
 * An HTML question text (sanitized on the server) shown as text, keeping
 * only its line breaks and the images the question embeds (served by the
 * server at their hash); every other tag is dropped and its text escaped.
 */
function htmlAsText(node: Node): string {
  let out = "";
  node.childNodes.forEach((n) => {
    if (n.nodeType === Node.TEXT_NODE) {
      out += escapeHTML(n.textContent ?? "");
    } else if (n instanceof Element) {
      const tag = n.tagName.toLowerCase();
      if (tag === "br") out += "<br>";
      else if (tag === "img") {
        const src = n.getAttribute("src") ?? "";
        if (QUESTION_FILE.test(src)) out += `<img class="q-img" src="${src}" alt="${escapeHTML(n.getAttribute("alt") ?? "")}">`;
      } else {
        if (tag === "p" && out !== "") out += "<br>";
        out += htmlAsText(n);
      }
    }
  });
  return out;
}

/**
 * Renders the inline markdown quiz questions use (**bold**, *italic* or
 * _italic_, `code`, line breaks) as HTML. Everything is escaped first, so no
 * tag in the text survives; "plain" texts are shown as text, "html" texts as
 * text with their line breaks and embedded images (htmlAsText).
 */
export function inlineMarkdown(text: string, format: "markdown" | "plain" | "html" = "markdown"): string {
  if (format === "html") {
    const doc = new DOMParser().parseFromString(text, "text/html");
    return htmlAsText(doc.body);
  }
  let s = escapeHTML(text);
  if (format === "plain") return s.replace(/\n/g, "<br>");
  const codes: string[] = [];
  s = s.replace(/`([^`]+)`/g, (_, c: string) => {
    codes.push(c);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = s
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/__([^_]+)__/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^_\w])_([^_\s][^_]*?)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/\n{2,}/g, "<br><br>")
    .replace(/\n/g, " ");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<code>${codes[Number(i)]}</code>`);
}

/** Where a "module#heading" (or "core/module#heading") reference points in the reader, if the program lists that module. */
export function rereadLink(programID: string, modules: RequiredModule[], target: string): { to: string; title: string; section: string } | null {
  const [ref, heading = ""] = target.split("#");
  const core = ref.startsWith("core/");
  const slug = core ? ref.slice(5) : ref;
  const m = modules.find((x) => x.slug === slug && x.core === core) ?? modules.find((x) => x.slug === slug);
  if (!m) return null;
  return {
    to: `/training/${programID}/modules/${m.module_id}${heading ? `#${heading}` : ""}`,
    title: m.title,
    section: heading.replace(/-/g, " "),
  };
}

/** Whether an answer says anything (an empty one clears the question). */
export function isAnswered(type: QuestionType, a: { choices?: string[]; text?: string; matches?: Record<string, string>; gaps?: Record<string, string> } | undefined): boolean {
  if (!a) return false;
  switch (type) {
    case "cloze":
      return !!a.gaps && Object.values(a.gaps).some((g) => !!g.trim());
    case "short_answer":
    case "numeric":
      return !!a.text?.trim();
    case "matching":
      return !!a.matches && Object.values(a.matches).some(Boolean);
    default:
      return !!a.choices?.length;
  }
}

/** A piece of a cloze question's text: text, or the place of a gap. */
export type ClozePart = { text: string } | { gap: string };

/** Splits a cloze question's public text at its gap placeholders ({{gap:1}}), in order. */
export function splitCloze(text: string): ClozePart[] {
  const parts: ClozePart[] = [];
  const re = /\{\{gap:([0-9]+)\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ gap: m[1] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** The first numeric gap of a cloze answer that is not a number, with the reason (as the server words it), or null. */
export function clozeProblem(gaps: PublicGap[] | undefined, answer: Record<string, string> | undefined): { gap: string; reason: string; text: string } | null {
  for (const g of gaps ?? []) {
    const text = answer?.[g.id] ?? "";
    if (g.kind !== "numeric" || !text.trim()) continue;
    const parsed = parseTypedNumber(text);
    if (!parsed.ok) return { gap: g.id, reason: `Gap ${g.id}: ${parsed.reason}`, text };
  }
  return null;
}
