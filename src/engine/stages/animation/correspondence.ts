/**
 * MediaPipe Face Mesh landmark ↔ ICT-FaceKit surface correspondence.
 *
 * Each of MediaPipe's 468 canonical landmarks sits at a barycentric point of one ICT triangle
 * (built once by data-loaders/animation/build-correspondence.ts and kept as generated JSON).
 * From it, any ICT shape (neutral, identity or expression mode) gives the landmark positions
 * the fitter compares against the tracker's output.
 */
import type { FaceModel } from "../../face/types.js";

export interface LandmarkCorrespondence {
  /** Number of landmarks N (468 for MediaPipe Face Mesh). */
  readonly count: number;
  /** ICT vertex indices of the triangle each landmark lies on, `[N*3]`. */
  readonly vertices: Uint32Array;
  /** Barycentric weights for those vertices, `[N*3]`, each triple sums to 1. */
  readonly weights: Float32Array;
}

/** JSON form written by the build script (plain arrays so it diffs and loads anywhere). */
export interface CorrespondenceJson {
  count: number;
  vertices: number[];
  weights: number[];
  [extra: string]: unknown;
}

export function correspondenceFromJson(json: CorrespondenceJson): LandmarkCorrespondence {
  const { count } = json;
  if (!Number.isInteger(count) || count <= 0) throw new Error(`correspondence: bad count ${count}`);
  if (json.vertices.length !== count * 3 || json.weights.length !== count * 3) {
    throw new Error(`correspondence: expected ${count * 3} vertices and weights, got ${json.vertices.length} and ${json.weights.length}`);
  }
  return { count, vertices: Uint32Array.from(json.vertices), weights: Float32Array.from(json.weights) };
}

/** Landmark positions `[N*3]` of a mesh `positions [V*3]` (or of a displacement field). */
export function landmarkPositions(positions: ArrayLike<number>, corr: LandmarkCorrespondence, out = new Float32Array(corr.count * 3)): Float32Array {
  const { vertices, weights } = corr;
  for (let i = 0; i < corr.count; i++) {
    let x = 0, y = 0, z = 0;
    for (let k = 0; k < 3; k++) {
      const v = vertices[i * 3 + k]! * 3;
      const b = weights[i * 3 + k]!;
      x += b * positions[v]!;
      y += b * positions[v + 1]!;
      z += b * positions[v + 2]!;
    }
    out[i * 3] = x;
    out[i * 3 + 1] = y;
    out[i * 3 + 2] = z;
  }
  return out;
}

/**
 * The fitter's linear model of the landmarks: L(w) = neutral + Σ_j w_j modes[j], all `[N*3]`
 * in ICT model space (cm). An identity β (optional) is folded into `neutral`.
 */
export interface LandmarkBasis {
  readonly count: number;
  readonly neutral: Float32Array;
  readonly modes: readonly Float32Array[];
  readonly names: readonly string[];
  /** Landmark positions of the first identity modes, for fits that also estimate β. */
  readonly identityModes?: readonly Float32Array[];
  /** The tracker's structured landmark noise (a calibrated basis; see fit.ts `LandmarkNoise`). */
  readonly noise?: LandmarkNoise;
}

/**
 * Landmark noise n = Σ_k z_k modes_k + e, z_k ~ N(0, 1), e ~ N(0, floor²) per coordinate:
 * `modes` are `[N*3]` model-space directions (cm) scaled by their standard deviation.
 */
export interface LandmarkNoise {
  readonly modes: readonly Float32Array[];
  /** Standard deviation (cm) of the isotropic rest. */
  readonly floor: number;
}

/**
 * `identity` (β) is folded into the neutral; `identityModes` (default 0) keeps that many
 * identity modes as landmark-level modes so fitLandmarks can estimate β as well.
 */
export function landmarkBasis(model: FaceModel, corr: LandmarkCorrespondence, identity?: ArrayLike<number>, identityModes = 0): LandmarkBasis {
  const neutral = landmarkPositions(model.neutral, corr);
  if (identity) {
    for (let k = 0; k < identity.length && k < model.identityModes.length; k++) {
      const beta = identity[k]!;
      if (beta === 0) continue;
      const d = landmarkPositions(model.identityModes[k]!, corr);
      for (let i = 0; i < d.length; i++) neutral[i] += beta * d[i]!;
    }
  }
  const modes = model.expressionModes.map((m) => landmarkPositions(m, corr));
  const ids = model.identityModes.slice(0, identityModes).map((m) => landmarkPositions(m, corr));
  return { count: corr.count, neutral, modes, names: model.expressionNames, ...(ids.length ? { identityModes: ids } : {}) };
}

/** The same basis with identity β folded into its neutral (and no identity modes left to fit). */
export function withIdentity(basis: LandmarkBasis, beta: ArrayLike<number>): LandmarkBasis {
  const neutral = foldedNeutral(basis.neutral, basis.identityModes ?? [], beta);
  return { count: basis.count, neutral, modes: basis.modes, names: basis.names, ...(basis.noise ? { noise: basis.noise } : {}) };
}

/** neutral + Σₖ cₖ·modesₖ (as a new array), over the first min(|c|, |modes|) modes. */
export function foldedNeutral(neutral: Float32Array, modes: readonly Float32Array[], coefficients: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(neutral);
  for (let k = 0; k < coefficients.length && k < modes.length; k++) {
    const c = coefficients[k]!, m = modes[k]!;
    for (let i = 0; i < out.length; i++) out[i] += c * m[i]!;
  }
  return out;
}
