/**
 * Kernel Inception Distance (Bińkowski et al. 2018), as torchmetrics and clean-fid compute
 * it: the unbiased MMD² between two feature sets under the cubic polynomial kernel
 * k(x, y) = (x·y/d + 1)³, averaged over random subsets drawn without replacement.
 * DreamFace reports it over 50 subsets (paper Sec. 7.3.1). The std is the population std of
 * the subset values (torchmetrics' `std(unbiased=False)`).
 *
 * Features are flat row-major arrays [count·dim] (e.g. a `kid_features` network's output).
 */
import type { Rng } from "../util/rng.js";

export interface KidOptions {
  /** Rows per subset, or [rows of x, rows of y]. Default min(n, m, 1000). */
  subsetSize?: number | readonly [number, number];
  /** Number of subsets. Default 50 (the paper). */
  subsets?: number;
  /** Seeded generator for the subsets. */
  rng: Rng;
  /** Kernel degree (3), γ (1/dim) and coefficient (1). */
  degree?: number;
  gamma?: number;
  coef?: number;
}

export interface KidResult {
  mean: number;
  std: number;
  values: number[];
  subsetSize: [number, number];
}

// Above this many kernel entries we evaluate the kernel per subset instead of caching it.
// float64 because MMD² subtracts near-equal sums (8M entries = 64 MB).
const CACHE_LIMIT = 8 * 1024 * 1024;

/** k(a_i, b_j) for all i, j as a matrix [na·nb]. */
function kernelMatrix(a: Float32Array, na: number, b: Float32Array, nb: number, dim: number, k: (dot: number) => number): Float64Array {
  const out = new Float64Array(na * nb);
  const symmetric = a === b;
  for (let i = 0; i < na; i++) {
    const ai = i * dim;
    for (let j = symmetric ? i : 0; j < nb; j++) {
      const bj = j * dim;
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += a[ai + c]! * b[bj + c]!;
      out[i * nb + j] = k(dot);
      if (symmetric) out[j * nb + i] = out[i * nb + j]!;
    }
  }
  return out;
}

/** `size` distinct indices of 0..n−1 (partial Fisher–Yates). */
function sample(n: number, size: number, rng: Rng, scratch: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < size; i++) {
    const j = rng.int(i, n - 1);
    const t = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = t;
  }
  return scratch.slice(0, size);
}

/**
 * Unbiased MMD²: Σ_{i≠j} k(x_i,x_j)/(n(n−1)) + Σ_{i≠j} k(y_i,y_j)/(m(m−1)) − 2 Σ k(x_i,y_j)/(nm),
 * given kernel lookups over subset indices.
 */
function mmd2(ix: Int32Array, iy: Int32Array, kxx: (i: number, j: number) => number, kyy: (i: number, j: number) => number, kxy: (i: number, j: number) => number): number {
  const n = ix.length, m = iy.length;
  let sxx = 0, syy = 0, sxy = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) sxx += kxx(ix[a]!, ix[b]!);
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) syy += kyy(iy[a]!, iy[b]!);
  for (let a = 0; a < n; a++) for (let b = 0; b < m; b++) sxy += kxy(ix[a]!, iy[b]!);
  return (2 * sxx) / (n * (n - 1)) + (2 * syy) / (m * (m - 1)) - (2 * sxy) / (n * m);
}

export function kid(x: Float32Array, y: Float32Array, dim: number, options: KidOptions): KidResult {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`KID: feature dimension must be a positive integer, got ${dim}`);
  if (x.length % dim !== 0 || y.length % dim !== 0)
    throw new Error(`KID: feature arrays (${x.length}, ${y.length} values) are not whole rows of ${dim}`);
  const n = x.length / dim, m = y.length / dim;
  const { subsets = 50, rng, degree = 3, gamma = 1 / dim, coef = 1 } = options;
  const requested = options.subsetSize ?? Math.min(n, m, 1000);
  const [sx, sy] = typeof requested === "number" ? [requested, requested] : requested;
  if (!(Number.isInteger(sx) && Number.isInteger(sy) && sx >= 2 && sy >= 2))
    throw new Error(`KID: subset sizes must be integers ≥ 2, got ${sx}, ${sy}`);
  if (sx > n || sy > m) throw new Error(`KID: subset size ${sx}/${sy} exceeds the ${n}/${m} feature rows available`);
  if (!Number.isInteger(subsets) || subsets < 1) throw new Error(`KID: subsets must be a positive integer, got ${subsets}`);
  for (const v of [x, y]) for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new Error(`KID: non-finite feature value at index ${i}`);

  const k = (dot: number) => Math.pow(gamma * dot + coef, degree);
  const dotK = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let c = 0; c < dim; c++) dot += a[i * dim + c]! * b[j * dim + c]!;
    return k(dot);
  };
  let kxx: (i: number, j: number) => number;
  let kyy: (i: number, j: number) => number;
  let kxy: (i: number, j: number) => number;
  // Caching pays when subsets overlap (they usually do); otherwise evaluate on demand.
  if (n * n + m * m + n * m <= CACHE_LIMIT && subsets > 1) {
    const XX = kernelMatrix(x, n, x, n, dim, k), YY = kernelMatrix(y, m, y, m, dim, k), XY = kernelMatrix(x, n, y, m, dim, k);
    kxx = (i, j) => XX[i * n + j]!;
    kyy = (i, j) => YY[i * m + j]!;
    kxy = (i, j) => XY[i * m + j]!;
  } else {
    kxx = (i, j) => dotK(x, i, x, j);
    kyy = (i, j) => dotK(y, i, y, j);
    kxy = (i, j) => dotK(x, i, y, j);
  }
  const scratchX = new Int32Array(n), scratchY = new Int32Array(m);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const ix = sample(n, sx, rng, scratchX);
    const iy = sample(m, sy, rng, scratchY);
    values.push(mmd2(ix, iy, kxx, kyy, kxy));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, std, values, subsetSize: [sx, sy] };
}
