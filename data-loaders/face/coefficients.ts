// Parsing the geometry command's "--identity 0=1.0,5=-0.5" and "--expression jawOpen=0.7" lists.
// Every mistake is reported with the offending text, because these are typed by hand.
import { UserError } from "../cli/errors.js";

function pairs(text: string, flag: string): [key: string, value: number][] {
  const out: [string, number][] = [];
  const seen = new Set<string>();
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(item);
    if (!m) throw new UserError(`${flag}: "${item}" is not a name=value pair (example: ${flag === "--identity" ? "0=1.0,5=-0.5" : "jawOpen=0.7"})`);
    const key = m[1]!, valueText = m[2]!;
    const value = Number(valueText);
    if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(valueText)) {
      throw new UserError(`${flag}: the value of "${key}" must be a finite number, got "${valueText}"`);
    }
    if (seen.has(key)) throw new UserError(`${flag}: "${key}" is given twice`);
    seen.add(key);
    out.push([key, value]);
  }
  return out;
}

/** "0=1.0,5=-0.5" → sparse entries; indices must be integers in [0, count). */
export function parseIdentity(text: string, count: number): Map<number, number> {
  const result = new Map<number, number>();
  for (const [key, value] of pairs(text, "--identity")) {
    if (!/^\d+$/.test(key)) throw new UserError(`--identity: "${key}" is not an identity mode index (0–${count - 1})`);
    const k = Number(key);
    if (k >= count) throw new UserError(`--identity: index ${k} is out of range; the model has identity modes 0–${count - 1}`);
    result.set(k, value);
  }
  return result;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/** Up to 3 names closest to `name` (case-insensitive edit distance, substrings first). */
export function closeNames(name: string, names: readonly string[]): string[] {
  const q = name.toLowerCase();
  return names
    .map((n) => ({ n, d: n.toLowerCase().includes(q) || q.includes(n.toLowerCase()) ? 0 : editDistance(q, n.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}

/** "jawOpen=0.7" → index → weight, names as in the model (ARKit, case-sensitive). */
export function parseExpression(text: string, names: readonly string[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const [key, value] of pairs(text, "--expression")) {
    const j = names.indexOf(key);
    if (j < 0) throw new UserError(`--expression: unknown expression "${key}"; did you mean ${closeNames(key, names).join(", ")}? (\`dreamface geometry --list-expressions\` lists all ${names.length})`);
    result.set(j, value);
  }
  return result;
}
