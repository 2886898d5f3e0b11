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
  /**
   * Focal length in image heights: a perspective fit (absent: weak perspective). "estimate":
   * chosen on the first frame with a face (the focal length whose fit leaves the smallest
   * landmark residual, searched between 0.7 and 6 image heights), then held.
   */
  focal?: number | "estimate";
  /**
   * Select, then debias (a relaxed lasso): the prior above picks which shapes are active, then
   * the active ones are refitted with only `tikhonov` (small) and the rest held at 0, so the
   * prior's shrinkage does not stay in the driven weights. Shapes below `threshold` are dropped.
   */
  debias?: { threshold: number; tikhonov: number } | false;
  /** fitLandmarks' `decouple` (η): opposed shapes cannot cancel each other for free. */
  decouple?: number;
  /** Read residuals through the basis' noise model (fitLandmarks' `noise`; default false). */
  noise?: boolean;
}

/**
 * The tracker fit's priors, chosen on the tuning set (data-loaders/animation/tracking-eval.ts
 * `tuningSet`, never on the evaluation set); `dreamface animate`, the Animation page and the
 * tracking benchmark all use them.
 */
export const FIT_DEFAULTS = {
  tikhonov: 1e-3,
  // Measured on the tuning set and left off: an L1 term or select-then-debias trade
  // driven-weight error for spurious weight (or return almost nothing), and decoupling opposed
  // shapes changed neither by more than 0.01. The noise model halves spurious weights but lowers
  // every driven one (and the astronaut photo's smile reads 0.33 instead of 0.93): opt-in.
  sparsity: 0,
  decouple: 0,
  debias: false as { threshold: number; tikhonov: number } | false,
  noise: false,
  // A perspective camera with the focal length estimated on the first frame: as good as the
  // true focal length on the tuning set (spurious median 0.41 vs 0.54 for weak perspective in
  // single frames), and the astronaut photo still smiles (0.89).
  focal: "estimate" as number | "estimate" | undefined,
};

export interface SequenceResult {
  /** Smoothed weights per frame, `[J]` each. Frames without a face repeat the last weights. */
  weights: Float32Array[];
  fits: (FitResult | null)[];
  times: number[];
  /** Identity β estimated on the first frame with a face (empty without identity modes). */
  identity: Float32Array;
}

export function fitSequence(basis: LandmarkBasis, frames: readonly SequenceFrame[], options: SequenceOptions = {}): SequenceResult {
  const fitter = new SequenceFitter(basis, options);
  const weights: Float32Array[] = [];
  const fits: (FitResult | null)[] = [];
  for (const frame of frames) {
    const r = fitter.push(frame);
    weights.push(r.weights);
    fits.push(r.fit);
  }
  return { weights, fits, times: frames.map((f) => f.time), identity: fitter.identity };
}

/**
 * The per-frame fit of a sequence, one frame at a time (fitSequence for a whole clip, the
 * Animation page for a live webcam): warm start, temporal prior, identity frozen after the first
 * frame with a face, the neutral reference (`neutralFirst`), select-then-debias, smoothing.
 */
export class SequenceFitter {
  /** Identity β estimated on the first frame with a face (empty until then, or without identity modes). */
  identity: Float32Array = new Float32Array(0);
  private current: LandmarkBasis;
  private previous: FitResult | undefined;
  private last: Float32Array;
  private seenFace = false;
  private readonly filter: OneEuroFilter | undefined;
  private readonly fixedAtZero: readonly number[];
  private readonly partner: number[];
  /** The focal length in use (image heights), once known. */
  focal: number | undefined;

  constructor(basis: LandmarkBasis, private readonly options: SequenceOptions = {}) {
    this.current = basis;
    this.last = new Float32Array(basis.modes.length);
    this.filter = options.smoothing === false ? undefined : new OneEuroFilter(options.smoothing);
    this.fixedAtZero = options.fixedAtZero ?? gazeIndices(basis.names);
    this.partner = mirrorIndices(basis.names);
    this.focal = typeof options.focal === "number" ? options.focal : undefined;
  }

  /** Fits one frame; a frame without a face repeats the last weights (fit null). */
  push(frame: SequenceFrame): { weights: Float32Array; fit: FitResult | null } {
    const options = this.options;
    if (!frame.landmarks) {
      // A lost face breaks the warm start: the next detection may be anywhere.
      this.previous = undefined;
      return { weights: Float32Array.from(this.last), fit: null };
    }
    const current = this.current, previous = this.previous, fixedAtZero = this.fixedAtZero;
    const observe = (focal: number | undefined) => ({ ...observationFromMediaPipe(frame.landmarks!, frame.width, frame.height, options.dims ?? 2, focal), ...(options.landmarkWeights ? { confidence: options.landmarkWeights } : {}) });
    const first = current.identityModes?.length ? true : false;
    const neutral = !!options.neutralFirst && !this.seenFace;
    const temporal = options.temporal ?? 0.002;
    const fitWith = (focal: number | undefined) => fitLandmarks(current, observe(focal), {
      previous, temporal, tikhonov: options.tikhonov, sparsity: options.sparsity, iterations: options.iterations, decouple: options.decouple, noise: options.noise,
      fixedAtZero: neutral ? current.names.map((_, j) => j) : fixedAtZero,
      ...(first ? { identity: { prior: options.identityPrior }, iterations: 50 } : {}),
    });
    if (options.focal === "estimate" && !this.seenFace) this.focal = estimateFocal((f) => fitWith(f).rmse);
    this.seenFace = true;
    const obs = observe(this.focal);
    let fit = fitWith(this.focal);
    if (options.debias && !neutral) {
      const { threshold, tikhonov } = options.debias;
      const off = new Set(fixedAtZero);
      // A left/right pair stays together: either side above the threshold frees both (MediaPipe
      // moves both eyes on a one-sided blink, so which side carries a weak signal is not reliable).
      const w = fit.weights, partner = this.partner;
      w.forEach((v, j) => { if (v < threshold && !(partner[j]! >= 0 && w[partner[j]!]! >= threshold)) off.add(j); });
      // The identity (first frame) stays as selected: refitting it too would let it take the expression back.
      const beta = fit.identity;
      const refit = fitLandmarks(beta ? withIdentity(current, beta) : current, obs, {
        initial: fit, previous, temporal, tikhonov, iterations: options.iterations, fixedAtZero: [...off], decouple: options.decouple, noise: options.noise,
      });
      fit = beta ? { ...refit, identity: beta } : refit;
    }
    if (first && fit.identity) {
      this.identity = fit.identity;
      this.current = withIdentity(current, fit.identity);
    }
    if (neutral) this.current = absorbResidual(this.current, obs, fit);
    this.previous = fit;
    const smoothed = this.filter ? this.filter.filter(fit.weights, frame.time) : fit.weights;
    this.last = Float32Array.from(smoothed, (v) => Math.min(1, Math.max(0, v)));
    return { weights: this.last, fit };
  }
}

/**
 * Golden-section search of log focal length over [0.7, 6] image heights for the smallest
 * residual (on synthetic frames the residual is unimodal in it, with its minimum within a
 * factor 1.4 of the true camera's; weak perspective leaves twice the residual).
 */
export function estimateFocal(residual: (focal: number) => number, lo = 0.7, hi = 6, steps = 10): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(lo), b = Math.log(hi);
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = residual(Math.exp(c)), fd = residual(Math.exp(d));
  for (let k = 0; k < steps; k++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = residual(Math.exp(c)); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = residual(Math.exp(d)); }
  }
  return Math.exp((a + b) / 2);
}

/** For each expression, the index of its left/right mirror (`_L` ↔ `_R`), or −1. */
export function mirrorIndices(names: readonly string[]): number[] {
  return names.map((n) => {
    const m = /_([LR])$/.exec(n);
    return m ? names.indexOf(n.slice(0, -1) + (m[1] === "L" ? "R" : "L")) : -1;
  });
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
