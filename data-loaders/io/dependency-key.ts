// A short key for cached results (demo runs behind pages, the default pool) that changes
// whenever the code or model files they were computed with change, so a cache never serves a
// stale result silently. The code is the transitive closure of relative imports from entry
// modules; model files are hashed by content (files over LARGE_FILE bytes, i.e. real weights
// of gigabytes, by size and mtime: re-hashing them on every run would cost seconds).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { projectRoot } from "./paths.js";

const LARGE_FILE = 64 * 1024 * 1024;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Every .ts module reachable from `entries` through relative imports (sorted, absolute). */
export function codeClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((e) => resolve(e));
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, ".ts");
      if (target.endsWith(".ts")) stack.push(target);
    }
  }
  return [...seen].sort();
}

const fileHashes = new Map<string, string>();

/** Content hash of a model file (size and mtime for large ones), memoised per (path, size, mtime). */
function modelFileDigest(path: string): string {
  const st = statSync(path, { bigint: true });
  const id = `${path}:${st.size}:${st.mtimeNs}`;
  let digest = fileHashes.get(id);
  if (!digest) {
    digest = st.size > BigInt(LARGE_FILE) ? `size ${st.size} mtime ${st.mtimeNs}` : createHash("sha256").update(readFileSync(path)).digest("hex");
    fileHashes.set(id, digest);
  }
  return digest;
}

export interface DependencyKeyInput {
  /** Entry modules; their relative-import closure is hashed. */
  entries: readonly string[];
  /** Folders whose files (not recursive) the result was computed with, e.g. a model profile's. */
  modelDirs?: readonly string[];
  /** Settings of the computation (JSON-serialisable). */
  settings?: unknown;
  /** Paths are hashed relative to this (default: the project root), so clones agree. */
  root?: string;
}

/** 12 hex digits of sha256 over the code closure, model files and settings. */
export function dependencyKey({ entries, modelDirs = [], settings, root = projectRoot }: DependencyKeyInput): string {
  const hash = createHash("sha256");
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  for (const file of codeClosure(entries)) hash.update(`code ${rel(file)}\n`).update(readFileSync(file));
  for (const dir of modelDirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isFile()) hash.update(`model ${name} ${modelFileDigest(path)}\n`);
    }
  }
  hash.update(`settings ${JSON.stringify(settings ?? null)}`);
  return hash.digest("hex").slice(0, 12);
}
