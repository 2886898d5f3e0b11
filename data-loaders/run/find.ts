// Finding finished runs under results/ for the pages' data loaders (which show the newest one
// when present and compute a labelled demo otherwise).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { resultsDir } from "../io/paths.js";

/** The most recently modified of `paths` that exist. */
export function newestPath(paths: readonly string[]): string | undefined {
  return paths.filter(existsSync).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** results/runs/<id>/<stage> folders holding every file in `markers` (unsorted). */
export function stageRuns(stage: string, ...markers: string[]): string[] {
  const root = join(resultsDir(), "runs");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => join(root, d, stage))
    .filter((d) => markers.every((m) => existsSync(join(d, m))));
}
