// Fresh results in `npm run dev` without `npm run clean`: Framework reruns a data loader only
// when the loader file is newer than its cached output, and live-reloads the pages using it
// when that file changes. The report loaders read results/, which changes without any loader
// file changing. So, during preview only, a poller on results/ bumps the mtime of the loaders
// that read it (content untouched) a moment after a run writes there: Framework reruns them
// and the open pages update. `observable build` never starts it (the config drops report
// caches before each build instead: data-loaders/evaluation/stale-results.ts).
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";

/** Loaders (relative to the source root) whose output depends on results/. */
export const RESULTS_LOADERS = [
  "data/runs.json.ts",
  "data/evaluation.json.ts",
  "data/geometry-run.json.ts",
  "data/texture-run.json.ts",
  "data/texture-ablation.json.ts",
  "data/animation-run.json.ts",
  "data/geometry-pool.json.ts",
  "runs/[id].json.ts",
];

/** Bumps the mtime of every results loader under `root`; returns the touched paths. */
export function touchResultsLoaders(root, now = new Date()) {
  const touched = [];
  for (const rel of RESULTS_LOADERS) {
    const path = join(root, rel);
    if (!existsSync(path)) continue;
    utimesSync(path, now, now);
    touched.push(path);
  }
  return touched;
}

/**
 * What finished results look like on disk: the path and mtime of every manifest, metrics and
 * merged-pool file up to four levels under `results` (runs/<id>/<stage>/manifest.json,
 * pools/<name>/merged/merged.json). Checkpoints and trajectories mid-run do not count.
 */
export function resultsSignature(results) {
  const parts = [];
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth < 4 && e.name !== "checkpoints" && e.name !== "snapshots") walk(path, depth + 1);
      else if (/^(manifest|metrics|merged)\.json$/.test(e.name)) {
        try {
          parts.push(`${path}:${statSync(path).mtimeMs}`);
        } catch {
          // removed between readdir and stat
        }
      }
    }
  };
  walk(results, 0);
  return parts.sort().join("\n");
}

/**
 * Polls `results` every `intervalMs` (fs.watch's recursive mode misses files in folders made a
 * moment earlier on Linux; a few hundred stats a poll are cheap) and touches the results loaders
 * when the signature changes. Returns a function that stops polling.
 */
export function watchResults(root, results, { intervalMs = 1500, onTouch } = {}) {
  let last = resultsSignature(results);
  const timer = setInterval(() => {
    const now = resultsSignature(results);
    if (now === last) return;
    last = now;
    const touched = touchResultsLoaders(root);
    onTouch?.(touched);
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** Starts the watcher once per process, only under `observable preview` (npm run dev). */
export function watchResultsInPreview(root, results) {
  if (!process.argv.includes("preview") || globalThis.__dreamfaceResultsWatcher) return;
  globalThis.__dreamfaceResultsWatcher = watchResults(root, results);
}
