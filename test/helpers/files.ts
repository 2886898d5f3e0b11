// A run folder as the tests compare it: every file below `dir`, by relative path.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Every file under `dir`, as sorted paths relative to it with "/" separators; `skip`: file or folder names left out. */
export function listFiles(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (skip.includes(entry.name)) continue;
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** The bytes of every file under `dir`, keyed by its relative path (see listFiles). */
export function filesOf(dir: string, skip: readonly string[] = []): Map<string, Buffer> {
  return new Map(listFiles(dir, skip).map((f) => [f, readFileSync(join(dir, f))]));
}
