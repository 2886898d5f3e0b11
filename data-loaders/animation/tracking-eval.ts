// The tracking benchmark's FIXED held-out evaluation set: short synthetic sequences, each
// starting neutral as a video would, of identities (seeds 1001+) that the calibration never
// sees (it uses seeds 0 and 101–108), at several yaws and lights. Poses: the six of issue 16
// (wide jaw, pucker, brows up, open smile, wink, frown with funnel) and seeded random sparse
// combinations of 2–3 non-gaze expressions.
import { fileURLToPath } from "node:url";
import type { FaceModel } from "../../src/engine/face/types.js";
import { Rng } from "../../src/engine/util/rng.js";
import type { LandmarkBasis } from "../../src/engine/stages/animation/correspondence.js";
import { FIT_DEFAULTS, fitSequence, type SequenceOptions } from "../../src/engine/stages/animation/sequence.js";
import { regionWeights } from "../../src/engine/stages/animation/regions.js";
import { randomIdentity, SYNTHETIC_FOCAL, type SyntheticPose } from "./synthetic.js";
import type { TrackedFrame } from "./track.js";

/** The committed truth-vs-recovered of the first evaluation sequence, written by the tracking benchmark. */
export const TRACKING_DEMO_FILE = fileURLToPath(new URL("./tracking-demo.json", import.meta.url));

export interface EvalSequence {
  name: string;
  poses: SyntheticPose[];
}

export const ISSUE_POSES: Record<string, Record<string, number>> = {
  "wide jaw": { jawOpen: 0.8 },
  pucker: { mouthPucker: 0.8 },
  "brows up": { browInnerUp_L: 0.9, browInnerUp_R: 0.9 },
  "open smile": { mouthSmile_L: 0.7, mouthSmile_R: 0.7, jawOpen: 0.55 },
  wink: { eyeBlink_L: 1 },
  "frown + funnel": { mouthFrown_L: 0.6, mouthFrown_R: 0.6, mouthFunnel: 0.5 },
};

const VIEWS: { seed: number; yaw: number; light: [number, number] }[] = [
  { seed: 1001, yaw: 0, light: [25, 20] },
  { seed: 1002, yaw: 15, light: [-35, 10] },
  { seed: 1003, yaw: -12, light: [0, 35] },
];

export function weightsOf(model: FaceModel, named: Record<string, number>): Float32Array {
  const w = new Float32Array(model.expressionNames.length);
  for (const [n, v] of Object.entries(named)) {
    const j = model.expressionNames.indexOf(n);
    if (j < 0) throw new Error(`unknown expression ${n}`);
    w[j] = v;
  }
  return w;
}

/** 2–3 distinct non-gaze expressions (a symmetric pair counts as one choice) at 0.3–0.9. */
function randomSparse(model: FaceModel, rng: Rng): Record<string, number> {
  const pool = [...new Set(model.expressionNames.filter((n) => !n.startsWith("eyeLook")).map((n) => n.replace(/_[LR]$/, "")))];
  const out: Record<string, number> = {};
  const k = rng.int(2, 3);
  const picked = new Set<string>();
  while (picked.size < k) picked.add(pool[rng.int(0, pool.length - 1)]!);
  for (const base of picked) {
    const v = Math.round(rng.range(0.3, 0.9) * 100) / 100;
    if (model.expressionNames.includes(base)) out[base] = v;
    else { out[`${base}_L`] = v; out[`${base}_R`] = v; }
  }
  return out;
}

/** The evaluation sequences (3 × [neutral, 6 issue poses, 3 random sparse] = 30 frames). */
export function evaluationSet(model: FaceModel): EvalSequence[] {
  const rng = new Rng(16);
  return VIEWS.map((v) => {
    const identity = randomIdentity(v.seed);
    const named = [{}, ...Object.values(ISSUE_POSES), randomSparse(model, rng), randomSparse(model, rng), randomSparse(model, rng)];
    return { name: `identity ${v.seed}, yaw ${v.yaw}°`, poses: named.map((w) => ({ identity, weights: weightsOf(model, w), yaw: v.yaw, light: v.light })) };
  });
}

// The TUNING set: other identities (seeds 2001+), yaws, lights and random combinations (its own
// seed), so the fit's hyper-parameters are chosen without looking at the evaluation set.
const TUNING_VIEWS: { seed: number; yaw: number; light: [number, number] }[] = [
  { seed: 2001, yaw: -8, light: [15, 25] },
  { seed: 2002, yaw: 18, light: [-20, 15] },
  { seed: 2003, yaw: 5, light: [30, 30] },
];

/** The tuning sequences (3 × [neutral, 9 random sparse] = 30 frames); never scored in the README. */
export function tuningSet(model: FaceModel): EvalSequence[] {
  const rng = new Rng(2016);
  return TUNING_VIEWS.map((v) => {
    const identity = randomIdentity(v.seed);
    const named = [{}, ...Array.from({ length: 9 }, () => randomSparse(model, rng))];
    return { name: `tuning identity ${v.seed}, yaw ${v.yaw}°`, poses: named.map((w) => ({ identity, weights: weightsOf(model, w), yaw: v.yaw, light: v.light })) };
  });
}

export type EvalMode = "sequence" | "stream" | "single";

/**
 * Recovers the weights of one evaluation sequence's tracked frames. "sequence": in order, the
 * first (neutral) frame as the reference; "stream": in order, no neutral reference (the CLI's
 * default: the identity from the first `identityFrames` frames, then frozen); "single": every
 * frame alone, no reference. The fit
 * is the CLI's (FIT_DEFAULTS), with the render camera's focal length given.
 */
export function recoverSequence(basis: LandmarkBasis, frames: readonly TrackedFrame[], mode: EvalMode, options: SequenceOptions = {}): Float32Array[] {
  // Evaluation frames are independent poses, not a motion: no temporal prior or smoothing.
  const opts: SequenceOptions = { smoothing: false, temporal: 0, landmarkWeights: regionWeights(basis.count), ...FIT_DEFAULTS, focal: SYNTHETIC_FOCAL, ...options };
  if (mode !== "single") return fitSequence(basis, frames, { ...opts, neutralFirst: mode === "sequence" }).weights;
  return frames.map((f) => fitSequence(basis, [f], opts).weights[0]!);
}
