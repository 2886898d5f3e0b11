// Finds every stage run under <results>/runs/: each folder holding a manifest.json, up to
// three levels below runs/ (runs/<id>/<stage>/ and the ablation variants
// runs/<id>/texture-ablation/<variant>/). A run's key is its path relative to runs/.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Manifest } from "../run/index.js";

export interface FoundRun {
  /** Path relative to runs/, with "/" separators, e.g. "20261124-211500/geometry". */
  key: string;
  /** The run id: the first path segment. */
  id: string;
  stage: string;
  dir: string;
  manifest: Manifest;
}

const MAX_DEPTH = 3;

export function runsRoot(resultsDir: string): string {
  return join(resultsDir, "runs");
}

/** Folders below `root` (not root itself, at most `maxDepth` levels down) holding a readable manifest.json. */
export function manifestDirs(root: string, maxDepth = MAX_DEPTH): { dir: string; manifest: Manifest }[] {
  const out: { dir: string; manifest: Manifest }[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (depth > 0 && names.includes("manifest.json")) {
      const manifest = readJson(join(dir, "manifest.json")) as Manifest | undefined;
      if (manifest && typeof manifest.stage === "string") out.push({ dir, manifest });
    }
    if (depth >= maxDepth) return;
    for (const name of names) {
      if (name.startsWith(".") || name === "checkpoints" || name === "snapshots") continue;
      const child = join(dir, name);
      if (isDir(child)) walk(child, depth + 1);
    }
  };
  if (existsSync(root)) walk(root, 0);
  return out;
}

/** Runs sorted by key; folders whose manifest does not parse are skipped (a run being written). */
export function findRuns(resultsDir: string): FoundRun[] {
  const root = runsRoot(resultsDir);
  return manifestDirs(root)
    .map(({ dir, manifest }) => {
      const key = relative(root, dir).split(sep).join("/");
      return { key, id: key.split("/")[0]!, stage: manifest.stage, dir, manifest };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function runPrompt(manifest: Manifest): string | undefined {
  const inputs = (manifest.inputs ?? {}) as { prompt?: unknown };
  const config = (manifest.config ?? {}) as { prompt?: unknown };
  const p = inputs.prompt ?? config.prompt ?? manifest.prompt;
  return typeof p === "string" && p.trim() ? p : undefined;
}

/** What the runs table (DuckDB index and runs page) shows of a manifest; null where absent. */
export function manifestSummary(m: Manifest) {
  const timings = (m.timings ?? {}) as Record<string, number>;
  return {
    prompt: runPrompt(m) ?? null,
    profile: m.profile ?? null,
    label: m.label ?? null,
    complete: typeof m.complete === "boolean" ? m.complete : null,
    steps: typeof m.stepsDone === "number" ? m.stepsDone : null,
    totalMs: typeof timings.total === "number" ? timings.total : null,
    written: typeof m.written === "string" ? m.written : null,
  };
}

/** A JSON file's value, or undefined when it is missing or does not parse (e.g. being written). */
export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
