// Inputs for the workbench's animation page that come from outside the repository.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { resultsDir, sharedDir } from "../io/paths.js";
import { encodePng } from "../io/png.js";
import { stageRuns } from "../run/find.js";
import { readManifest } from "../run/manifest.js";
import { publishable } from "../io/publish.js";

export function samplePhoto(): Uint8Array {
  const shared = sharedDir();
  const path = shared && join(shared, "faces", "astronaut.png");
  if (path && existsSync(path)) return readFileSync(path);
  return encodePng(new Float32Array(64 * 64 * 4).fill(128 / 255), 64, 64, { channels: 4 }); // mid-grey stand-in
}

/** The newest results/runs/<id>/animation/weights.json, with its run id. */
export function newestAnimationRun(): { run: string | null; weights?: unknown; manifest?: unknown } {
  // Newest by run id (ids are sortable timestamps), not by modification time.
  const id = stageRuns("animation", "weights.json")
    .map((dir) => basename(dirname(dir)))
    .sort()
    .at(-1);
  if (!id) return { run: null };
  const dir = join(resultsDir(), "runs", id, "animation");
  return publishable({ run: id, weights: JSON.parse(readFileSync(join(dir, "weights.json"), "utf8")), manifest: readManifest(dir) });
}
