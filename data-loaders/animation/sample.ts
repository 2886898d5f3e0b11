// Inputs for the workbench's animation page that come from outside the repository.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { resultsDir, sharedDir } from "../io/paths.js";
import { encodePng } from "../io/png.js";
import { readManifest } from "../run/manifest.js";

export function samplePhoto(): Uint8Array {
  const shared = sharedDir();
  const path = shared && join(shared, "faces", "astronaut.png");
  if (path && existsSync(path)) return readFileSync(path);
  return encodePng(new Float32Array(64 * 64 * 4).fill(128 / 255), 64, 64, { channels: 4 }); // mid-grey stand-in
}

/** The newest results/runs/<id>/animation/weights.json, with its run id. */
export function newestAnimationRun(): { run: string | null; weights?: unknown; manifest?: unknown } {
  const runs = join(resultsDir(), "runs");
  if (!existsSync(runs)) return { run: null };
  const ids = readdirSync(runs)
    .filter((id) => existsSync(join(runs, id, "animation", "weights.json")))
    .sort();
  const id = ids.at(-1);
  if (!id) return { run: null };
  const dir = join(runs, id, "animation");
  return { run: id, weights: JSON.parse(readFileSync(join(dir, "weights.json"), "utf8")), manifest: readManifest(dir) };
}
