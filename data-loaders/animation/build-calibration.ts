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

/** One calibration identity's tracked frames: neutral, then each name alone at LEVEL (MediaPipe landmarks `[468*3]`). */
export interface CalibrationFrames {
  seed: number;
  landmarks: ArrayLike<number>[];
}

/** The poses of one calibration identity, in the order CalibrationFrames holds them. */
export function calibrationPoses(model: FaceModel, seed: number): SyntheticPose[] {
  const J = model.expressionNames.length;
  const identity = calibrationIdentity(seed);
  const weightSets = [new Float32Array(J), ...calibratedNames(model).map((n) => { const w = new Float32Array(J); w[model.expressionNames.indexOf(n)] = LEVEL; return w; })];
  return weightSets.map((weights) => ({ identity, weights, yaw: 0, light: LIGHT }));
}

/** Renders and tracks every calibration identity (the slow part: one Chromium, 46 frames each). */
export async function trackCalibration(model: FaceModel, seeds: readonly number[] = CALIBRATION_IDENTITY_SEEDS): Promise<CalibrationFrames[]> {
  const dir = join(tmpdir(), `dreamface-calibration-${process.pid}`);
  const out: CalibrationFrames[] = [];
  try {
    for (const seed of seeds) {
      const frames = await trackImages(writePoses(model, calibrationPoses(model, seed), join(dir, String(seed))));
      out.push({
        seed,
        landmarks: frames.map((f, k) => {
          if (!f.landmarks) throw new Error(`calibration: no face detected in pose ${k} of identity ${seed}`);
          return f.landmarks;
        }),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * The calibration from tracked frames (pure arithmetic, so stored frames rebuild the same bytes).
 * Each identity's response is first freed of the 2-D similarity motion (shift, scale, in-plane
 * turn) that best explains it: MediaPipe's whole mesh jitters between frames by a fraction of a
 * pixel, as much as a brow's whole signal, and the fit's pose is there to explain rigid motion.
 */
export function calibrationFromFrames(model: FaceModel, tracked: readonly CalibrationFrames[], corr: LandmarkCorrespondence = loadCorrespondence()): TrackerCalibration {
  const names = calibratedNames(model);
  const N = corr.count;
  const bias = new Float64Array(N * 2);
  const modes = names.map(() => new Float64Array(N * 2));
  for (const { seed, landmarks } of tracked) {
    const poses = calibrationPoses(model, seed);
    const detected = landmarks.map((l, k) => detectedInModel(Float32Array.from(l), landmarkPositions(synthesize(model, { identity: Array.from(poses[k]!.identity), expression: Array.from(poses[k]!.weights) }), corr)));
    const g0 = landmarkPositions(synthesize(model, { identity: Array.from(poses[0]!.identity), expression: Array.from(poses[0]!.weights) }), corr);
    const d0 = detected[0]!;
    for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) bias[i * 2 + a] += (d0[i * 2 + a]! - g0[i * 3 + a]!) / tracked.length;
    names.forEach((_, j) => {
      const response = Float64Array.from(detected[j + 1]!, (v, k) => (v - d0[k]!) / LEVEL);
      removeSimilarity(response, d0);
      for (let k = 0; k < N * 2; k++) modes[j]![k] += response[k]! / tracked.length;
    });
  }
  const strength = Float32Array.from(modes, (m) => Math.sqrt(m.reduce((s, v) => s + v * v, 0) / N));
  return { version: 2, count: N, names, neutralBias: Float32Array.from(bias), modes: modes.map((m) => Float32Array.from(m)), strength };
}

/**
 * Subtracts from a 2-D displacement field `[N*2]` its least-squares infinitesimal similarity
 * about the points `at [N*2]`: d ≈ (tx, ty) + a·(x, y) + b·(−y, x).
 */
export function removeSimilarity(d: Float64Array, at: ArrayLike<number>): void {
  const N = d.length / 2;
  let cx = 0, cy = 0;
  for (let i = 0; i < N; i++) { cx += at[i * 2]! / N; cy += at[i * 2 + 1]! / N; }
  let tx = 0, ty = 0, num_a = 0, num_b = 0, den = 0;
  for (let i = 0; i < N; i++) { tx += d[i * 2]! / N; ty += d[i * 2 + 1]! / N; }
  for (let i = 0; i < N; i++) {
    const x = at[i * 2]! - cx, y = at[i * 2 + 1]! - cy;
    const dx = d[i * 2]! - tx, dy = d[i * 2 + 1]! - ty;
    num_a += x * dx + y * dy;
    num_b += -y * dx + x * dy;
    den += x * x + y * y;
  }
  const a = num_a / den, b = num_b / den;
  for (let i = 0; i < N; i++) {
    const x = at[i * 2]! - cx, y = at[i * 2 + 1]! - cy;
    d[i * 2] -= tx + a * x - b * y;
    d[i * 2 + 1] -= ty + a * y + b * x;
  }
}

export async function buildCalibration(model: FaceModel, corr: LandmarkCorrespondence = loadCorrespondence()): Promise<TrackerCalibration> {
  return calibrationFromFrames(model, await trackCalibration(model), corr);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const model = await loadFaceModel();
  const t0 = performance.now();
  const c = await buildCalibration(model);
  writeCalibration(c, { identitySeeds: CALIBRATION_IDENTITY_SEEDS, level: LEVEL, light: LIGHT, camera: FRONTAL_CAMERA, builtBy: "data-loaders/animation/build-calibration.ts" });
  console.log(`calibration: ${c.names.length} modes × ${c.count} landmarks in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
