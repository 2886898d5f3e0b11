// Framework reuses a loader's cached output until the loader file changes, but the report
// loaders read results/ (and whichever DREAMFACE_RESULTS_DIR is set): new runs or metrics
// would not show up, or another results folder's would. observablehq.config.ts calls this
// before a build or preview starts to drop the report loaders' cached outputs; rebuilding
// them takes seconds (manifests, one DuckDB index, a page per run).
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Cached outputs of the report loaders, relative to <root>/.observablehq/cache. */
const CACHED = ["data/runs.json", "data/evaluation.json"];

/** Deletes the report loaders' cached outputs; returns the deleted paths. */
export function invalidateReportCache(root: string): string[] {
  const cache = join(root, ".observablehq", "cache");
  const paths = CACHED.map((p) => join(cache, p)).filter((p) => existsSync(p));
  const runsCache = join(cache, "runs");
  if (existsSync(runsCache)) for (const n of readdirSync(runsCache)) if (n.endsWith(".json")) paths.push(join(runsCache, n));
  for (const p of paths) rmSync(p, { force: true });
  return paths;
}
