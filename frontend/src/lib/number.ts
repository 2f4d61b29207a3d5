// Reading a number as a person types it, for numeric quiz answers. The rules
// are the server's (server/internal/quiz/grade.go, readNumber), so what the
// field accepts is what the server keeps and grades: an optional sign (+, -
// or the minus sign −), digits with commas grouping thousands or none
// ("1,200", "1200"), an optional decimal point and exponent ("12.5",
// "1.5e3"). Everything else gets a reason, a sentence to show at the field.

export type ParsedNumber = { ok: true; value: number } | { ok: false; reason: string };

const TYPED = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d{1,3})?$|^\.\d+(?:[eE][+-]?\d{1,3})?$/;
const DECIMAL_COMMA = /^\d+,\d{1,2}$/;
const COMMA_NUMBER = /^[\d,]+(?:\.\d*)?$/;

export function parseTypedNumber(input: string): ParsedNumber {
  const s = input.trim();
  if (s === "") return { ok: false, reason: "Enter a number." };
  if (s.length > 64) return { ok: false, reason: "A number has at most 64 characters." };
  let body = s;
  let sign = 1;
  if (body.startsWith("−")) {
    body = body.slice(1);
    sign = -1;
  } else if (body[0] === "-" || body[0] === "+") {
    sign = body[0] === "-" ? -1 : 1;
    body = body.slice(1);
  }
  if (!TYPED.test(body)) {
    if (DECIMAL_COMMA.test(body)) return { ok: false, reason: "Use a point for decimals, such as 12.5." };
    if (COMMA_NUMBER.test(body)) return { ok: false, reason: "Group thousands in threes, such as 1,200, or leave out the commas." };
    return { ok: false, reason: "Enter only a number, without words, units or currency signs, such as 1,200 or 12.5." };
  }
  return { ok: true, value: sign * Number(body.replace(/,/g, "")) };
}

/** Whether a refused text may be a number still being typed: a lone sign, or digits whose last comma has fewer than three after it ("1,2" on the way to "1,200"). */
export function mayBeUnfinished(input: string): boolean {
  return /^[+\-−]?(?:\d[\d,]*,\d{0,2})?$/.test(input.trim());
}
