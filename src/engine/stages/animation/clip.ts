/**
 * Expression clips: the 53 ICT/ARKit expression weights over time, as keyframes with an
 * interpolation mode, sampled at any time or resampled at a frame rate, and converted to a
 * glTF morph-weight animation sampler.
 *
 * Shapes: `times [K]` seconds, strictly increasing; `weights [K*J]` keyframe-major (all J
 * targets of keyframe 0, then keyframe 1, …) — exactly glTF's layout for "weights" channels.
 * "cubic" is a monotone cubic Hermite (Fritsch–Carlson tangents): it never overshoots the
 * keyframes, so weights in [0, 1] stay in [0, 1], and glTF's CUBICSPLINE reproduces it exactly.
 */
import type { INTERPOLATIONS } from "./config.js";
export type Interpolation = (typeof INTERPOLATIONS)[number];

export interface ExpressionClip {
  readonly name: string;
  /** Target (blendshape) names, in weight order. */
  readonly names: readonly string[];
  readonly times: Float32Array;
  readonly weights: Float32Array;
  readonly interpolation: Interpolation;
}

export interface Keyframe {
  time: number;
  /** Either a full weight vector or a sparse record by name (missing names = 0). */
  weights: ArrayLike<number> | Readonly<Record<string, number>>;
}

export function createClip(name: string, names: readonly string[], keyframes: readonly Keyframe[], interpolation: Interpolation = "linear"): ExpressionClip {
  if (keyframes.length === 0) throw new Error(`clip "${name}": needs at least one keyframe`);
  const J = names.length;
  const sorted = [...keyframes].sort((a, b) => a.time - b.time);
  const times = new Float32Array(sorted.length);
  const weights = new Float32Array(sorted.length * J);
  sorted.forEach((k, i) => {
    if (!Number.isFinite(k.time) || k.time < 0) throw new Error(`clip "${name}": keyframe time ${k.time} must be a finite number ≥ 0`);
    if (i > 0 && k.time <= sorted[i - 1]!.time) throw new Error(`clip "${name}": two keyframes at time ${k.time}`);
    times[i] = k.time;
    const w = k.weights;
    if (isArrayLike(w)) {
      if (w.length !== J) throw new Error(`clip "${name}": keyframe at ${k.time}s has ${w.length} weights, expected ${J}`);
      for (let j = 0; j < J; j++) weights[i * J + j] = w[j]!;
    } else {
      for (const [key, value] of Object.entries(w)) {
        const j = names.indexOf(key);
        if (j < 0) throw new Error(`clip "${name}": unknown expression "${key}"`);
        weights[i * J + j] = value;
      }
    }
  });
  return { name, names, times, weights, interpolation };
}

/** Clip from per-frame weight vectors at a fixed rate (tracker output). */
export function clipFromFrames(name: string, names: readonly string[], frames: readonly ArrayLike<number>[], fps: number, interpolation: Interpolation = "linear"): ExpressionClip {
  if (!(fps > 0)) throw new Error(`fps must be > 0, got ${fps}`);
  return createClip(name, names, frames.map((weights, i) => ({ time: i / fps, weights })), interpolation);
}

export function duration(clip: ExpressionClip): number {
  return clip.times[clip.times.length - 1]! - clip.times[0]!;
}

/** Weights at `time` (clamped to the clip's range), `[J]`. */
export function sampleClip(clip: ExpressionClip, time: number, out = new Float32Array(clip.names.length)): Float32Array {
  const { times, weights } = clip;
  const J = clip.names.length;
  const K = times.length;
  if (K === 1 || time <= times[0]!) return copyKey(weights, 0, J, out);
  if (time >= times[K - 1]!) return copyKey(weights, K - 1, J, out);
  let k = 0; // binary search: times[k] ≤ time < times[k+1]
  let hiIdx = K - 1;
  while (hiIdx - k > 1) {
    const mid = (k + hiIdx) >> 1;
    if (times[mid]! <= time) k = mid;
    else hiIdx = mid;
  }
  const t0 = times[k]!, t1 = times[k + 1]!;
  const u = (time - t0) / (t1 - t0);
  if (clip.interpolation === "step") return copyKey(weights, k, J, out);
  if (clip.interpolation === "linear") {
    for (let j = 0; j < J; j++) out[j] = weights[k * J + j]! * (1 - u) + weights[(k + 1) * J + j]! * u;
    return out;
  }
  const m = tangents(clip);
  const h = t1 - t0, u2 = u * u, u3 = u2 * u;
  const h00 = 2 * u3 - 3 * u2 + 1, h10 = u3 - 2 * u2 + u, h01 = -2 * u3 + 3 * u2, h11 = u3 - u2;
  for (let j = 0; j < J; j++) {
    out[j] = h00 * weights[k * J + j]! + h10 * h * m[k * J + j]! + h01 * weights[(k + 1) * J + j]! + h11 * h * m[(k + 1) * J + j]!;
  }
  return out;
}

/** The clip sampled every 1/fps seconds over its range (interpolation kept for the new keys). */
export function resampleClip(clip: ExpressionClip, fps: number): ExpressionClip {
  if (!(fps > 0)) throw new Error(`fps must be > 0, got ${fps}`);
  const J = clip.names.length;
  const start = clip.times[0]!;
  const count = Math.floor(duration(clip) * fps + 1e-6) + 1;
  const times = new Float32Array(count);
  const weights = new Float32Array(count * J);
  const w = new Float32Array(J);
  for (let i = 0; i < count; i++) {
    times[i] = start + i / fps;
    weights.set(sampleClip(clip, times[i]!, w), i * J);
  }
  return { ...clip, times, weights, interpolation: clip.interpolation === "step" ? "step" : "linear" };
}

/** A glTF animation sampler's data for a "weights" channel, ready for accessors. */
export interface GltfWeightsSampler {
  /** Keyframe times `[K]` (the input accessor; needs min/max). */
  readonly input: Float32Array;
  /** `[K*T]` values, or `[K*3*T]` (in-tangent, value, out-tangent) for CUBICSPLINE. */
  readonly output: Float32Array;
  readonly interpolation: "LINEAR" | "STEP" | "CUBICSPLINE";
}

/**
 * The clip as a glTF sampler for a mesh whose morph targets are `targetNames` (in the mesh's
 * order). Targets the clip does not name get weight 0; clip names the mesh lacks are an error.
 */
export function gltfWeightsSampler(clip: ExpressionClip, targetNames: readonly string[] = clip.names): GltfWeightsSampler {
  const T = targetNames.length;
  const J = clip.names.length;
  const K = clip.times.length;
  const map = clip.names.map((n) => {
    const idx = targetNames.indexOf(n);
    if (idx < 0) throw new Error(`clip "${clip.name}": the mesh has no morph target named "${n}"`);
    return idx;
  });
  const cubic = clip.interpolation === "cubic";
  const per = cubic ? 3 : 1;
  const output = new Float32Array(K * per * T);
  const m = cubic ? tangents(clip) : undefined;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < J; j++) {
      const base = k * per * T;
      if (m) {
        output[base + map[j]!] = m[k * J + j]!; // in-tangent
        output[base + T + map[j]!] = clip.weights[k * J + j]!;
        output[base + 2 * T + map[j]!] = m[k * J + j]!; // out-tangent
      } else {
        output[base + map[j]!] = clip.weights[k * J + j]!;
      }
    }
  }
  const interpolation = clip.interpolation === "step" ? "STEP" : cubic ? "CUBICSPLINE" : "LINEAR";
  return { input: Float32Array.from(clip.times), output, interpolation };
}

/** Tangents per clip: sampleClip runs once per displayed or resampled frame, the tangents once per clip. */
const tangentCache = new WeakMap<ExpressionClip, Float32Array>();

/** Fritsch–Carlson monotone tangents (per second), `[K*J]` (computed once per clip). */
function tangents(clip: ExpressionClip): Float32Array {
  let m = tangentCache.get(clip);
  if (!m) tangentCache.set(clip, (m = computeTangents(clip)));
  return m;
}

function computeTangents(clip: ExpressionClip): Float32Array {
  const { times, weights } = clip;
  const J = clip.names.length;
  const K = times.length;
  const m = new Float32Array(K * J);
  for (let j = 0; j < J; j++) {
    const slope = (k: number) => (weights[(k + 1) * J + j]! - weights[k * J + j]!) / (times[k + 1]! - times[k]!);
    for (let k = 0; k < K; k++) {
      if (k === 0) m[j] = K > 1 ? slope(0) : 0;
      else if (k === K - 1) m[k * J + j] = slope(k - 1);
      else {
        const a = slope(k - 1), b = slope(k);
        // Zero at extrema keeps the curve inside the keyframe values.
        m[k * J + j] = a * b <= 0 ? 0 : (2 * a * b) / (a + b);
      }
    }
    // Endpoint tangents larger than 3× the secant would overshoot.
    for (let k = 0; k < K - 1; k++) {
      const s = slope(k);
      if (s === 0) { m[k * J + j] = 0; m[(k + 1) * J + j] = 0; continue; }
      const a = m[k * J + j]! / s, b = m[(k + 1) * J + j]! / s;
      const r = a * a + b * b;
      if (r > 9) {
        const tau = 3 / Math.sqrt(r);
        m[k * J + j] = tau * a * s;
        m[(k + 1) * J + j] = tau * b * s;
      }
    }
  }
  return m;
}

function copyKey(weights: Float32Array, k: number, J: number, out: Float32Array): Float32Array {
  for (let j = 0; j < J; j++) out[j] = weights[k * J + j]!;
  return out;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}
