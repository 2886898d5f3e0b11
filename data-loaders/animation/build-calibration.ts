// Builds the tracker calibration (tracker-calibration.json + .bin beside this file, committed):
//
//   npx tsx data-loaders/animation/build-calibration.ts
//
// For each calibration identity (β = 0 and two seeded random faces; none of them is in the
// tracking benchmark's evaluation set), ICT is rendered frontally at neutral and with each
// non-gaze expression alone at weight 0.8, and every frame goes through the real tracker page.
// Landmarks are unprojected to model space through the known camera at the geometric depth;
// the neutral bias is detected − geometric on the neutrals, a mode is (posed − neutral) / 0.8;
// both are averaged over identities. Rendering and MediaPipe (CPU WASM) are deterministic, so
// the same inputs rebuild the same bytes.
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadFaceModel } from "../face/load.js";
import { synthesize } from "../../src/engine/face/synthesize.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { landmarkPositions, type LandmarkCorrespondence } from "../../src/engine/stages/animation/correspondence.js";
import { unprojectFrontal, type TrackerCalibration } from "../../src/engine/stages/animation/calibration.js";
import { loadCorrespondence } from "./correspondence.js";
import { FRONTAL_CAMERA, randomIdentity, writePoses, type SyntheticPose } from "./synthetic.js";
import { trackImages } from "./track.js";
import { writeCalibration } from "./calibration.js";

export const CALIBRATION_IDENTITY_SEEDS = [0, 101, 102]; // 0 = the mean face
const LEVEL = 0.8;
const LIGHT: readonly [number, number] = [0, 15];

export function calibrationIdentity(seed: number): number[] {
  return seed === 0 ? [] : randomIdentity(seed);
}

/** Names the calibration learns: every expression except gaze (no iris landmarks to respond). */
export function calibratedNames(model: FaceModel): string[] {
  return model.expressionNames.filter((n) => !n.startsWith("eyeLook"));
}

/** Model-space landmarks of a detection: MediaPipe x, y unprojected at the geometric depth. */
function detectedInModel(landmarks: Float32Array, geometric: Float32Array): Float32Array {
  const N = geometric.length / 3;
  const out = new Float32Array(N * 2);
  for (let i = 0; i < N; i++) {
    const [x, y] = unprojectFrontal(landmarks[i * 3]!, landmarks[i * 3 + 1]!, geometric[i * 3 + 2]!, FRONTAL_CAMERA);
    out[i * 2] = x;
    out[i * 2 + 1] = y;
  }
  return out;
}

export async function buildCalibration(model: FaceModel, corr: LandmarkCorrespondence = loadCorrespondence()): Promise<TrackerCalibration> {
  const names = calibratedNames(model);
  const J = model.expressionNames.length, N = corr.count;
  const bias = new Float64Array(N * 2);
  const modes = names.map(() => new Float64Array(N * 2));
  const dir = join(tmpdir(), `dreamface-calibration-${process.pid}`);
  try {
    for (const seed of CALIBRATION_IDENTITY_SEEDS) {
      const identity = calibrationIdentity(seed);
      const weightSets = [new Float32Array(J), ...names.map((n) => { const w = new Float32Array(J); w[model.expressionNames.indexOf(n)] = LEVEL; return w; })];
      const poses: SyntheticPose[] = weightSets.map((weights) => ({ identity, weights, yaw: 0, light: LIGHT }));
      const paths = writePoses(model, poses, join(dir, String(seed)));
      const frames = await trackImages(paths);
      const geometric = weightSets.map((w) => landmarkPositions(synthesize(model, { identity, expression: Array.from(w) }), corr));
      const detected = frames.map((f, k) => {
        if (!f.landmarks) throw new Error(`calibration: no face detected in pose ${k} of identity ${seed}`);
        return detectedInModel(f.landmarks, geometric[k]!);
      });
      const d0 = detected[0]!, g0 = geometric[0]!;
      for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) bias[i * 2 + a] += (d0[i * 2 + a]! - g0[i * 3 + a]!) / CALIBRATION_IDENTITY_SEEDS.length;
      names.forEach((_, j) => {
        const dj = detected[j + 1]!;
        for (let k = 0; k < N * 2; k++) modes[j]![k] += (dj[k]! - d0[k]!) / LEVEL / CALIBRATION_IDENTITY_SEEDS.length;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const strength = Float32Array.from(modes, (m) => Math.sqrt(m.reduce((s, v) => s + v * v, 0) / N));
  return { version: 1, count: N, names, neutralBias: Float32Array.from(bias), modes: modes.map((m) => Float32Array.from(m)), strength };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const model = await loadFaceModel();
  const t0 = performance.now();
  const c = await buildCalibration(model);
  writeCalibration(c, { identitySeeds: CALIBRATION_IDENTITY_SEEDS, level: LEVEL, light: LIGHT, camera: FRONTAL_CAMERA, builtBy: "data-loaders/animation/build-calibration.ts" });
  console.log(`calibration: ${c.names.length} modes × ${c.count} landmarks in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
