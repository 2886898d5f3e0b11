// Builds small but real run folders for the evaluation tests, with the run helpers every
// stage uses (manifest, trajectory JSONL/Parquet), plus PNG renders.
import { join } from "node:path";
import { tempDir } from "../../test/helpers/tmp.js";
import { writeFileAtomic } from "../io/atomic.js";
import { createRunDir, TrajectoryLog, writeManifest } from "../run/index.js";
import { encodePng8 } from "../io/png.js";

/** A fresh results folder, removed when the test file (or the test calling this) finishes. */
export function tempResults(): string {
  return tempDir("dreamface-eval-");
}

/** A w×h RGB gradient image shifted by `offset` (values clamp to [0, 1]). */
export function gradientImage(w: number, h: number, seed: number, offset = 0): Float32Array {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v = 0.5 + 0.4 * Math.sin(0.3 * x * (c + 1) + 0.2 * y + seed * 1.7) + offset;
        data[(y * w + x) * 3 + c] = Math.min(1, Math.max(0, v));
      }
  return data;
}

export function writePngs(dir: string, count: number, { size = 32, offset = 0, seed = 0 } = {}): void {
  for (let i = 0; i < count; i++)
    writeFileAtomic(join(dir, `img-${String(i).padStart(3, "0")}.png`), encodePng8(gradientImage(size, size, seed + i, offset), size, size));
}

/** A finished geometry run (Parquet trajectory, 3 renders) and a texture run still in progress (JSONL only). */
export function writeFakeRuns(results: string): { geometry: string; texture: string } {
  const geometry = createRunDir({ stage: "geometry", outDir: join(results, "runs", "run-a", "geometry") });
  const log = new TrajectoryLog(geometry, "trajectory");
  for (let step = 0; step < 5; step++) log.append({ step, loss_sds: 1 / (step + 1), lambda_n: 0.1, t: 900 - step * 10 });
  log.toParquet(join(geometry, "trajectory.parquet"));
  writePngs(join(geometry, "renders"), 3, { size: 48 });
  writeManifest(geometry, {
    stage: "geometry",
    config: { steps: 5 },
    seeds: { experiment: 7 },
    profile: "tiny",
    timings: { total: 1234, carving: 1000 },
    inputs: { prompt: "the realistic face of an old sailor" },
    outputs: { "trajectory.parquet": "trajectory" },
    complete: true,
    stepsDone: 5,
  });
  const texture = createRunDir({ stage: "texture", outDir: join(results, "runs", "run-b", "texture") });
  const tlog = new TrajectoryLog(texture, "trajectory", 1);
  for (let step = 0; step < 3; step++) // A trajectory column named like an index column (texture logs its own `stage`).
    tlog.append({ step, phase: "latent", stage: "latent", loss_sds: 2 - step * 0.5 });
  tlog.close();
  writeManifest(texture, {
    stage: "texture",
    config: { variant: "full" },
    seeds: { experiment: 3 },
    profile: "tiny",
    timings: { total: 99 },
    inputs: { prompt: "a young woman with freckles" },
    complete: false,
    stepsDone: 3,
  });
  return { geometry, texture };
}
