/**
 * Tracker landmarks → expression weights for a whole sequence: converts MediaPipe's normalized
 * landmarks to a y-up observation, fits each frame warm-started from the last (with a temporal
 * prior), and smooths the weights over time with a One-Euro filter. When the basis carries
 * identity modes, the first `identityFrames` frames with a face also estimate the face's
 * identity β (one β shared by those frames), which is then held fixed (folded into the neutral)
 * for the rest of the sequence.
 */
import { foldedNeutral, withIdentity, type LandmarkBasis } from "./correspondence.js";
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
  /** γ for the identity fit (used when the basis has identity modes). */
  identityPrior?: number;
  /**
   * How many frames with a face the identity β is estimated over before it is frozen (default
   * FIT_DEFAULTS.identityFrames; 1 = the first frame alone). One β is shared by those frames
   * (alternating: each frame's weights and pose with β held, then β with the weights held, the
   * frames' estimates averaged), so one frame's expression is not taken for face shape. Until
   * then frames are fitted with the first frame's β; once frozen, the earlier frames are refitted
   * with the shared β (`SequenceFitter.push` returns them as `revised`; fitSequence uses them).
   */
  identityFrames?: number;
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
  // One identity shared by the first 5 frames (then frozen). On the tuning set (stored tracker
  // landmarks, 2026-12-03) 1–10 frames are a wash through MediaPipe: every median within ±0.02
  // (stream: driven 0.452 → 0.446, spurious 0.425 → 0.417; neutral first: driven 0.448 → 0.455,
  // spurious 0.291 → 0.286), because MediaPipe's landmarks hardly show face shape (the
  // estimated β has a cosine of 0.1–0.6 with the true one, whatever the frame count). Where the
  // shape is visible and the landmarks are noisy, sharing β helps (sequence-identity.test.ts).
  identityFrames: 5,
};

/** Alternations of the shared identity estimate (weights and poses, then β). */
const IDENTITY_ROUNDS = 2;

export interface SequenceResult {
  /** Smoothed weights per frame, `[J]` each. Frames without a face repeat the last weights. */
  weights: Float32Array[];
  fits: (FitResult | null)[];
  times: number[];
  /** Identity β estimated on the first `identityFrames` frames with a face (empty without identity modes). */
  identity: Float32Array;
}

export function fitSequence(basis: LandmarkBasis, frames: readonly SequenceFrame[], options: SequenceOptions = {}): SequenceResult {
  const fitter = new SequenceFitter(basis, options);
  const weights: Float32Array[] = [];
  const fits: (FitResult | null)[] = [];
  const revise = (revised: readonly FrameRevision[] | undefined) => revised?.forEach((r) => { weights[r.index] = r.weights; fits[r.index] = r.fit; });
  for (const frame of frames) {
    const r = fitter.push(frame);
    weights.push(r.weights);
    fits.push(r.fit);
    revise(r.revised);
  }
  revise(fitter.finish());
  return { weights, fits, times: frames.map((f) => f.time), identity: fitter.identity };
}

/** A frame's output replaced once the identity is frozen (`index` counts `push` calls from 0). */
export interface FrameRevision {
  index: number;
  weights: Float32Array;
  fit: FitResult | null;
}

/** A frame pushed while the identity is still being estimated. */
interface Pending {
  index: number;
  time: number;
  obs: LandmarkObservation | null;
  neutral: boolean;
  fit?: FitResult;
  /** This frame's own identity estimate (the first frame's, or a joint fit's). */
  beta?: Float32Array;
}

/**
 * The per-frame fit of a sequence, one frame at a time (fitSequence for a whole clip, the
 * Animation page for a live webcam): warm start, temporal prior, identity estimated over the
 * first `identityFrames` frames with a face and then frozen, the neutral reference
 * (`neutralFirst`), select-then-debias, smoothing.
 */
export class SequenceFitter {
  /** Identity β: the first face frame's, then (once frozen) the one shared by the first `identityFrames`; empty without identity modes. */
  identity: Float32Array = new Float32Array(0);
  private readonly raw: LandmarkBasis;
  private current: LandmarkBasis;
  private previous: FitResult | undefined;
  private last: Float32Array;
  private seenFace = false;
  private filter: OneEuroFilter | undefined;
  private readonly fixedAtZero: readonly number[];
  private readonly partner: number[];
  private readonly identityFrames: number;
  /** Frames since the first face while β is being estimated; null once frozen (or without identity modes). */
  private pending: Pending[] | null;
  private pushed = 0;
  /** The focal length in use (image heights), once known. */
  focal: number | undefined;

  constructor(basis: LandmarkBasis, private readonly options: SequenceOptions = {}) {
    this.raw = basis;
    this.current = basis;
    this.last = new Float32Array(basis.modes.length);
    this.filter = options.smoothing === false ? undefined : new OneEuroFilter(options.smoothing);
    this.fixedAtZero = options.fixedAtZero ?? gazeIndices(basis.names);
    this.partner = mirrorIndices(basis.names);
    this.focal = typeof options.focal === "number" ? options.focal : undefined;
    const k = options.identityFrames ?? 1;
    if (!Number.isInteger(k) || k < 1) throw new Error(`SequenceFitter: identityFrames must be a whole number ≥ 1, got ${k}`);
    this.identityFrames = k;
    this.pending = basis.identityModes?.length ? [] : null;
  }

  /**
   * Fits one frame; a frame without a face repeats the last weights (fit null). The frame that
   * freezes the identity also returns `revised`: the earlier frames refitted with it.
   */
  push(frame: SequenceFrame): { weights: Float32Array; fit: FitResult | null; revised?: FrameRevision[] } {
    const index = this.pushed++;
    if (!frame.landmarks) {
      // A lost face breaks the warm start: the next detection may be anywhere.
      this.previous = undefined;
      if (this.pending && this.seenFace) this.pending.push({ index, time: frame.time, obs: null, neutral: false });
      return { weights: Float32Array.from(this.last), fit: null };
    }
    const options = this.options;
    const firstFace = !this.seenFace;
    const neutral = !!options.neutralFirst && firstFace;
    const estimate = firstFace && !!this.pending;
    if (options.focal === "estimate" && firstFace) this.focal = estimateFocal((f) => this.fitFrame(this.current, this.observe(frame, f), { neutral, identity: estimate }).rmse);
    this.seenFace = true;
    const obs = this.observe(frame, this.focal);
    const fit = this.fitFrame(this.current, obs, { previous: this.previous, neutral, identity: estimate });
    let beta = fit.identity;
    if (estimate && beta) {
      // Provisional until frozen: later frames are fitted with the first frame's β meanwhile.
      this.identity = beta;
      this.current = withIdentity(this.current, beta);
    } else if (this.pending && !firstFace) {
      // This frame's own β (weights, pose and β jointly), the shared estimate's starting point.
      beta = this.fitFrame(this.raw, obs, { initial: { ...fit, identity: this.identity }, neutral: false, identity: true }).identity;
    }
    if (neutral) this.current = absorbResidual(this.current, obs, fit);
    this.previous = fit;
    const out = this.emit(fit, frame.time);
    if (!this.pending) return out;
    this.pending.push({ index, time: frame.time, obs, neutral, fit, ...(beta ? { beta } : {}) });
    if (this.pending.filter((p) => p.obs).length < this.identityFrames) return out;
    const revised = this.freeze();
    return revised.length ? { ...revised[revised.length - 1]!, revised } : out;
  }

  /** Freezes the identity on the frames seen so far (a clip shorter than `identityFrames`); returns their revisions. */
  finish(): FrameRevision[] {
    return this.pending ? this.freeze() : [];
  }

  private observe(frame: SequenceFrame, focal: number | undefined): LandmarkObservation {
    const o = this.options;
    return { ...observationFromMediaPipe(frame.landmarks!, frame.width, frame.height, o.dims ?? 2, focal), ...(o.landmarkWeights ? { confidence: o.landmarkWeights } : {}) };
  }

  /** One frame's fit: weights (all 0 for a neutral frame) and pose, β too when `identity`; then select-then-debias. */
  private fitFrame(basis: LandmarkBasis, obs: LandmarkObservation, at: { previous?: FitResult; initial?: FitResult; neutral: boolean; identity?: boolean }): FitResult {
    const options = this.options, fixedAtZero = this.fixedAtZero;
    const { previous, neutral } = at;
    const identity = !!at.identity && !!basis.identityModes?.length;
    const temporal = options.temporal ?? 0.002;
    let fit = fitLandmarks(basis, obs, {
      previous, ...(at.initial ? { initial: at.initial } : {}), temporal, tikhonov: options.tikhonov, sparsity: options.sparsity, iterations: options.iterations, decouple: options.decouple, noise: options.noise,
      fixedAtZero: neutral ? basis.names.map((_, j) => j) : fixedAtZero,
      ...(identity ? { identity: { prior: options.identityPrior }, iterations: 50 } : {}),
    });
    if (options.debias && !neutral) {
      const { threshold, tikhonov } = options.debias;
      const off = new Set(fixedAtZero);
      // A left/right pair stays together: either side above the threshold frees both (MediaPipe
      // moves both eyes on a one-sided blink, so which side carries a weak signal is not reliable).
      const w = fit.weights, partner = this.partner;
      w.forEach((v, j) => { if (v < threshold && !(partner[j]! >= 0 && w[partner[j]!]! >= threshold)) off.add(j); });
      // The identity stays as selected: refitting it too would let it take the expression back.
      const beta = fit.identity;
      const refit = fitLandmarks(beta ? withIdentity(basis, beta) : basis, obs, {
        initial: fit, previous, temporal, tikhonov, iterations: options.iterations, fixedAtZero: [...off], decouple: options.decouple, noise: options.noise,
      });
      fit = beta ? { ...refit, identity: beta } : refit;
    }
    return fit;
  }

  private emit(fit: FitResult, time: number): { weights: Float32Array; fit: FitResult } {
    const smoothed = this.filter ? this.filter.filter(fit.weights, time) : fit.weights;
    this.last = Float32Array.from(smoothed, (v) => Math.min(1, Math.max(0, v)));
    return { weights: this.last, fit };
  }

  /**
   * One β for the pending frames: alternately each frame's weights and pose with β held, then
   * each frame's β with its weights held (folded into the neutral), averaged over the frames.
   * Then the frames are refitted in order with β frozen (and the neutral reference rebuilt), the
   * warm start, temporal prior and smoothing replayed from the first face.
   */
  private freeze(): FrameRevision[] {
    const pending = this.pending!;
    this.pending = null;
    const faces = pending.filter((p) => p.obs && p.beta);
    if (faces.length < 2) return [];
    const all = this.raw.names.map((_, j) => j);
    let fits = faces.map((p) => p.fit!);
    let beta = meanOf(faces.map((p) => p.beta!));
    for (let round = 0; round < IDENTITY_ROUNDS; round++) {
      const held = withIdentity(this.raw, beta);
      fits = faces.map((p, k) => this.fitFrame(held, p.obs!, { initial: stripIdentity(fits[k]!), neutral: p.neutral }));
      beta = meanOf(faces.map((p, k) => fitLandmarks(foldWeights(this.raw, fits[k]!.weights), p.obs!, {
        initial: { ...fits[k]!, identity: beta }, tikhonov: this.options.tikhonov, noise: this.options.noise, fixedAtZero: all,
        identity: { prior: this.options.identityPrior }, iterations: 50,
      }).identity!));
    }
    this.identity = beta;
    this.current = withIdentity(this.raw, beta);
    this.filter = this.options.smoothing === false ? undefined : new OneEuroFilter(this.options.smoothing);
    this.previous = undefined;
    this.last = new Float32Array(this.raw.modes.length);
    const revised: FrameRevision[] = [];
    for (const p of pending) {
      if (!p.obs) {
        this.previous = undefined;
        revised.push({ index: p.index, weights: Float32Array.from(this.last), fit: null });
        continue;
      }
      const fit = this.fitFrame(this.current, p.obs, { previous: this.previous, neutral: p.neutral });
      if (p.neutral) this.current = absorbResidual(this.current, p.obs, fit);
      this.previous = fit;
      revised.push({ index: p.index, ...this.emit(fit, p.time) });
    }
    return revised;
  }
}

function meanOf(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] += v[i]! / vectors.length;
  return out;
}

function stripIdentity(fit: FitResult): FitResult {
  const { identity: _, ...rest } = fit;
  return rest;
}

/** The basis with expression weights folded into its neutral (identity modes kept), to fit β with the expression held. */
function foldWeights(basis: LandmarkBasis, weights: ArrayLike<number>): LandmarkBasis {
  return { ...basis, neutral: foldedNeutral(basis.neutral, basis.modes, weights) };
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
