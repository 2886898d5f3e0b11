/**
 * Tracker landmarks → expression weights for a whole sequence: converts MediaPipe's normalized
 * landmarks to a y-up observation, fits each frame warm-started from the last (with a temporal
 * prior), and smooths the weights over time with a One-Euro filter. When the basis carries
 * identity modes, the first frame with a face also estimates the face's identity β, which is
 * then held fixed (folded into the neutral) for the rest of the sequence.
 */
import { withIdentity, type LandmarkBasis } from "./correspondence.js";
import { fitLandmarks, perspectiveFactor, projectLandmarks, type FitResult, type LandmarkObservation } from "./fit.js";
import { OneEuroFilter, type OneEuroOptions } from "./smooth.js";

/**
 * MediaPipe gives x, y in [0, 1] of the image width/height (y down) and z in roughly the x scale
 * (smaller = nearer the camera). We use pixels with y up and z towards the camera: a rotation by
 * 180° about x, so handedness is kept and ICT's +z-facing face maps to a frontal pose.
 */
export function observationFromMediaPipe(landmarks: ArrayLike<number>, width: number, height: number, dims: 2 | 3 = 2, focal?: number): LandmarkObservation {
  const n = landmarks.length / 3;
  const points = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    points[i * dims] = landmarks[i * 3]! * width;
    points[i * dims + 1] = -landmarks[i * 3 + 1]! * height;
    if (dims === 3) points[i * dims + 2] = -landmarks[i * 3 + 2]! * width;
  }
  // `focal` is in image heights (a 30° vertical field of view is 1 / (2 tan 15°) = 1.87).
  return { points, dims, ...(focal ? { camera: { focal: focal * height, center: [width / 2, -height / 2] as const } } : {}) };
}

export interface SequenceFrame {
  time: number;
  width: number;
  height: number;
  /** `[N*3]` MediaPipe landmarks, or null when the tracker found no face in this frame. */
  landmarks: ArrayLike<number> | null;
}

export interface SequenceOptions {
  dims?: 2 | 3;
  tikhonov?: number;
  /** μ, the pull towards the previous frame's weights (default 0.002). */
  temporal?: number;
  /** One-Euro settings; `false` turns smoothing off. */
  smoothing?: OneEuroOptions | false;
  /** Expressions held at 0; default: the eyeLook* gaze shapes (no iris landmarks). */
  fixedAtZero?: readonly number[];
  /** γ for the first frame's identity fit (used when the basis has identity modes). */
  identityPrior?: number;
  /**
   * The first frame with a face is a neutral expression (as a video that starts at rest): its
   * weights are 0 by definition, and what the identity modes leave unexplained there (this
   * face's and this tracker's own offsets) is folded into the neutral for the later frames.
   */
  neutralFirst?: boolean;
  /** L1 weight on the weights (fitLandmarks' `sparsity`). */
  sparsity?: number;
  /** Maximum LM iterations per frame (fitLandmarks' default: 15 cold, 6 warm). */
  iterations?: number;
  /** Per-landmark weights `[N]` of the data term (e.g. regionWeights); default all 1. */
  landmarkWeights?: Float64Array;
  /** Focal length in image heights: a perspective fit (absent: weak perspective). */
  focal?: number;
  /**
   * Select, then debias (a relaxed lasso): the prior above picks which shapes are active, then
   * the active ones are refitted with only `tikhonov` (small) and the rest held at 0, so the
   * prior's shrinkage does not stay in the driven weights. Shapes below `threshold` are dropped.
   */
  debias?: { threshold: number; tikhonov: number } | false;
}

export interface SequenceResult {
  /** Smoothed weights per frame, `[J]` each. Frames without a face repeat the last weights. */
  weights: Float32Array[];
  fits: (FitResult | null)[];
  times: number[];
  /** Identity β estimated on the first frame with a face (empty without identity modes). */
  identity: Float32Array;
}

export function fitSequence(basis: LandmarkBasis, frames: readonly SequenceFrame[], options: SequenceOptions = {}): SequenceResult {
  const dims = options.dims ?? 2;
  const filter = options.smoothing === false ? undefined : new OneEuroFilter(options.smoothing);
  const J = basis.modes.length;
  const weights: Float32Array[] = [];
  const fits: (FitResult | null)[] = [];
  let previous: FitResult | undefined;
  let last = new Float32Array(J);
  let current = basis;
  const fixedAtZero = options.fixedAtZero ?? gazeIndices(basis.names);
  let identity: Float32Array = new Float32Array(0);
  for (const frame of frames) {
    if (!frame.landmarks) {
      // A lost face breaks the warm start: the next detection may be anywhere.
      previous = undefined;
      fits.push(null);
      weights.push(Float32Array.from(last));
      continue;
    }
    const obs = { ...observationFromMediaPipe(frame.landmarks, frame.width, frame.height, dims, options.focal), ...(options.landmarkWeights ? { confidence: options.landmarkWeights } : {}) };
    const first = current.identityModes?.length ? true : false;
    const neutral = options.neutralFirst && fits.every((f) => f === null);
    let fit = fitLandmarks(current, obs, {
      previous, temporal: options.temporal ?? 0.002, tikhonov: options.tikhonov, sparsity: options.sparsity, iterations: options.iterations,
      fixedAtZero: neutral ? current.names.map((_, j) => j) : fixedAtZero,
      ...(first ? { identity: { prior: options.identityPrior }, iterations: 50 } : {}),
    });
    if (options.debias && !neutral) {
      const { threshold, tikhonov } = options.debias;
      const off = new Set(fixedAtZero);
      fit.weights.forEach((w, j) => { if (w < threshold) off.add(j); });
      // The identity (first frame) stays as selected: refitting it too would let it take the expression back.
      const beta = fit.identity;
      const refit = fitLandmarks(beta ? withIdentity(current, beta) : current, obs, {
        initial: fit, previous, temporal: options.temporal ?? 0.002, tikhonov, iterations: options.iterations, fixedAtZero: [...off],
      });
      fit = beta ? { ...refit, identity: beta } : refit;
    }
    if (first && fit.identity) {
      identity = fit.identity;
      current = withIdentity(current, identity);
    }
    if (neutral) current = absorbResidual(current, obs, fit);
    previous = fit;
    fits.push(fit);
    const smoothed = filter ? filter.filter(fit.weights, frame.time) : fit.weights;
    last = Float32Array.from(smoothed, (w) => Math.min(1, Math.max(0, w)));
    weights.push(last);
  }
  return { weights, fits, times: frames.map((f) => f.time), identity };
}

/** Indices of the gaze blendshapes: MediaPipe's 468 landmarks carry no iris, so gaze is unobservable. */
export function gazeIndices(names: readonly string[]): number[] {
  return names.flatMap((n, j) => (n.startsWith("eyeLook") ? [j] : []));
}

/**
 * The basis with the residual of a neutral fit folded into its neutral: each landmark's
 * observed − predicted offset, taken back through the pose (÷ scale, Rᵀ) into model space.
 * With 2-D observations the offset has no depth component.
 */
export function absorbResidual(basis: LandmarkBasis, obs: LandmarkObservation, fit: FitResult): LandmarkBasis {
  const d = obs.dims, N = basis.count;
  const predicted = projectLandmarks(basis, fit.weights, fit.pose, d);
  const R = fit.pose.rotation, s = fit.pose.scale, cam = fit.pose.camera;
  const neutral = Float32Array.from(basis.neutral);
  for (let i = 0; i < N; i++) {
    const r = [0, 0, 0];
    // Under perspective a model offset shows magnified by the landmark's perspective factor.
    const depth = R[6]! * neutral[i * 3]! + R[7]! * neutral[i * 3 + 1]! + R[8]! * neutral[i * 3 + 2]!;
    const q = cam ? perspectiveFactor((s * depth) / cam.focal) : 1;
    for (let a = 0; a < d; a++) r[a] = (obs.points[i * d + a]! - predicted[i * d + a]!) / (s * (a < 2 ? q : 1));
    // Rᵀ r (R is row-major).
    for (let a = 0; a < 3; a++) neutral[i * 3 + a] += R[a]! * r[0]! + R[3 + a]! * r[1]! + R[6 + a]! * r[2]!;
  }
  return { ...basis, neutral };
}
