// Builds the tracker calibration (tracker-calibration.json + .bin beside this file, committed):
//
//   npx tsx data-loaders/animation/build-calibration.ts [--head face|full] [--frames FILE] [--out FILE.json]
//
// --head full renders the poses with the full head (eyeballs, teeth, lashes; synthetic.ts), as
// real videos show faces; face (default) renders the paper's face region alone. --frames FILE
// stores the tracked landmarks after each identity (a stopped run resumes from them) and, once
// complete, rebuilds from them in seconds. --out writes elsewhere than the committed file.
//
// For each calibration identity (β = 0 and eight seeded random faces; none of them is in the
// tracking benchmark's evaluation or tuning set), ICT is rendered frontally at neutral and with
// each non-gaze expression alone at weight 0.8, and every frame goes through the real tracker
// page. Landmarks are unprojected to model space through the known camera at the geometric
// depth; the neutral bias is detected − geometric on the neutrals, a mode is (posed − neutral)
// / 0.8 without its best 2-D similarity motion; both are averaged over identities. The noise
// modes are the principal directions of the identities' departures from the mean response.
// Rendering and MediaPipe (CPU WASM) are deterministic, so the same inputs rebuild the same bytes.
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeJsonAtomic } from "../io/atomic.js";
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

// 0 = the mean face. Nine faces: one face's response departs from the mean as much as any
// other's (MediaPipe's own wander, not a trend with face shape), so more faces mean a better
// mean and enough samples for the noise directions.
export const CALIBRATION_IDENTITY_SEEDS = [0, 101, 102, 103, 104, 105, 106, 107, 108];
/** Noise directions kept (10 carry 93 % of the spread between faces' responses). */
const NOISE_MODES = 10;
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

/** What the calibration poses are rendered with: the paper's face region, or the full head (eyes, teeth). */
export type CalibrationHead = "face" | "full";

/** One calibration identity's tracked frames: neutral, then each name alone at LEVEL (MediaPipe landmarks `[468*3]`). */
export interface CalibrationFrames {
  seed: number;
  landmarks: ArrayLike<number>[];
}

/** The poses of one calibration identity, in the order CalibrationFrames holds them. */
export function calibrationPoses(model: FaceModel, seed: number, head: CalibrationHead = "face"): SyntheticPose[] {
  const J = model.expressionNames.length;
  const identity = calibrationIdentity(seed);
  const weightSets = [new Float32Array(J), ...calibratedNames(model).map((n) => { const w = new Float32Array(J); w[model.expressionNames.indexOf(n)] = LEVEL; return w; })];
  return weightSets.map((weights) => ({ identity, weights, yaw: 0, light: LIGHT, head }));
}

/** Renders and tracks every calibration identity (the slow part: one Chromium, 46 frames each). */
export async function trackCalibration(
  model: FaceModel, seeds: readonly number[] = CALIBRATION_IDENTITY_SEEDS, head: CalibrationHead = "face",
  done: readonly CalibrationFrames[] = [], onIdentity?: (tracked: readonly CalibrationFrames[]) => void,
): Promise<CalibrationFrames[]> {
  const dir = join(tmpdir(), `dreamface-calibration-${process.pid}`);
  const out: CalibrationFrames[] = [];
  try {
    for (const seed of seeds) {
      // Identities already tracked (a stored partial run) are kept, not tracked again.
      const stored = done.find((t) => t.seed === seed);
      if (stored) { out.push(stored); continue; }
      const frames = await trackImages(writePoses(model, calibrationPoses(model, seed, head), join(dir, String(seed))));
      out.push({
        seed,
        landmarks: frames.map((f, k) => {
          if (!f.landmarks) throw new Error(`calibration: no face detected in pose ${k} of identity ${seed}`);
          return f.landmarks;
        }),
      });
      onIdentity?.(out);
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
 * MediaPipe's structured noise: the principal directions (scaled by their standard deviation,
 * model cm) of how each identity's response at LEVEL departs from the mean response, over all
 * identities and shapes (the same shape on another face moves the landmarks along a few
 * recurring whole-face patterns, which a fit should not read as expression), and the RMS of what
 * `count` directions leave (the isotropic floor).
 */
export function noiseFromFrames(model: FaceModel, tracked: readonly CalibrationFrames[], count: number, corr: LandmarkCorrespondence = loadCorrespondence()): { modes: Float32Array[]; floor: number } {
  if (tracked.length < 2) throw new Error("calibration noise needs at least two identities");
  const mean = calibrationFromFrames(model, tracked, corr);
  const samples: Float64Array[] = [];
  for (const t of tracked) {
    const own = calibrationFromFrames(model, [t], corr);
    own.modes.forEach((m, j) => samples.push(Float64Array.from(m, (v, q) => (v - mean.modes[j]![q]!) * LEVEL)));
  }
  const { vectors, values, total } = principalDirections(samples, count);
  const D = samples[0]!.length;
  const rest = Math.max(total - values.reduce((a, b) => a + b, 0), 0);
  return { modes: vectors.map((v, k) => Float32Array.from(v, (x) => x * Math.sqrt(values[k]!))), floor: Math.sqrt(rest / (D - count)) };
}

/** Top `count` eigenpairs of the samples' second-moment matrix (1/S)·Σ x xᵀ, by the S×S Gram matrix and deflated power iteration (deterministic). */
function principalDirections(samples: readonly Float64Array[], count: number): { vectors: Float64Array[]; values: number[]; total: number } {
  const S = samples.length, D = samples[0]!.length;
  const G = new Float64Array(S * S);
  for (let a = 0; a < S; a++) for (let b = a; b < S; b++) {
    let acc = 0;
    const xa = samples[a]!, xb = samples[b]!;
    for (let q = 0; q < D; q++) acc += xa[q]! * xb[q]!;
    G[a * S + b] = G[b * S + a] = acc / S;
  }
  let total = 0;
  for (let a = 0; a < S; a++) total += G[a * S + a]!;
  const vectors: Float64Array[] = [], values: number[] = [];
  const u = new Float64Array(S), w = new Float64Array(S);
  for (let k = 0; k < Math.min(count, S); k++) {
    for (let a = 0; a < S; a++) u[a] = 1 + ((a * 7919 + k * 104729) % 97) / 97;
    let lambda = 0;
    for (let it = 0; it < 500; it++) {
      for (let a = 0; a < S; a++) { let acc = 0; for (let b = 0; b < S; b++) acc += G[a * S + b]! * u[b]!; w[a] = acc; }
      const norm = Math.hypot(...w);
      if (!(norm > 0)) break;
      const change = Math.abs(norm - lambda);
      lambda = norm;
      for (let a = 0; a < S; a++) u[a] = w[a]! / norm;
      if (change < 1e-12 * norm) break;
    }
    for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) G[a * S + b] -= lambda * u[a]! * u[b]!;
    // Eigenvector in landmark space: Xᵀu / ‖Xᵀu‖ (X has the samples as rows).
    const v = new Float64Array(D);
    for (let a = 0; a < S; a++) for (let q = 0; q < D; q++) v[q] += u[a]! * samples[a]![q]!;
    const nv = Math.hypot(...v);
    vectors.push(v.map((x) => x / nv));
    values.push(lambda);
  }
  return { vectors, values, total };
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
  // --frames FILE: the tracked landmarks, read from FILE when it exists (the arithmetic alone,
  // seconds), else tracked (~4 min per identity on 2 busy cores) and stored there.
  const k = process.argv.indexOf("--frames");
  const framesFile = k > 0 ? process.argv[k + 1] : undefined;
  const h = process.argv.indexOf("--head");
  const head = (h > 0 ? process.argv[h + 1] : "face") as CalibrationHead;
  if (head !== "face" && head !== "full") throw new Error(`--head: expected face or full, got ${head}`);
  const model = await loadFaceModel();
  const t0 = performance.now();
  // A stored file may hold the first identities only (a run stopped part way): the rest are tracked.
  const stored = framesFile && existsSync(framesFile) ? (JSON.parse(readFileSync(framesFile, "utf8")) as CalibrationFrames[]) : [];
  const seeds = stored.map((t) => t.seed).join(",");
  if (!CALIBRATION_IDENTITY_SEEDS.join(",").startsWith(seeds)) throw new Error(`${framesFile}: identities ${seeds}, expected ${CALIBRATION_IDENTITY_SEEDS.join(",")}`);
  const store = (t: readonly CalibrationFrames[]) => framesFile && writeJsonAtomic(framesFile, t.map((f) => ({ seed: f.seed, landmarks: f.landmarks.map((l) => Array.from(l)) })));
  const tracked = await trackCalibration(model, CALIBRATION_IDENTITY_SEEDS, head, stored, store);
  const o = process.argv.indexOf("--out");
  const c = { ...calibrationFromFrames(model, tracked), version: head === "full" ? 3 : 2, noise: noiseFromFrames(model, tracked, NOISE_MODES) };
  writeCalibration(c, { head, identitySeeds: CALIBRATION_IDENTITY_SEEDS, level: LEVEL, light: LIGHT, camera: FRONTAL_CAMERA, builtBy: "data-loaders/animation/build-calibration.ts" }, o > 0 ? process.argv[o + 1] : undefined);
  console.log(`calibration: ${c.names.length} modes + ${NOISE_MODES} noise modes × ${c.count} landmarks in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
