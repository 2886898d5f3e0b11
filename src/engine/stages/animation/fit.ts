/**
 * Fits ICT expression weights (bounded to [0, 1]) and a head pose to tracked landmarks, one
 * frame at a time.
 *
 * Model: Y_i = R · L_i(w), L(w) = neutral + Σ_j w_j modes_j (LandmarkBasis); weak perspective
 * p_i = s · Y_i[:d] + t, or, when the observation carries a camera (focal length f, principal
 * point c), full perspective about the head: p_i = c + (s · Y_i + t − c) / (1 − s · Y_i,z / f)
 * for x, y (s = f / distance, so no extra unknown; f → ∞ is weak perspective; z stays weak).
 * Weak perspective on a face 60 cm from the camera misplaces points ±15 % with their depth,
 * which the expression modes otherwise absorb on a turned head.
 * d = 2 (image x, y) or 3 (x, y, z as MediaPipe gives them). Observations use a y-up frame.
 *
 * Solver: Levenberg–Marquardt on all unknowns jointly (weights, rotation increment, translation,
 * log-scale). Each linearized step is a box-constrained quadratic program (weights stay in
 * [0, 1]) solved by projected Gauss–Seidel — a projected Gauss–Newton method. Energy:
 *   (1/N) Σ c_i ‖p_i − o_i‖² + λ‖w‖² + μ‖w − w_prev‖²
 * λ is a small Tikhonov prior; μ pulls towards the previous frame when tracking video.
 * With `bounded: false` the steps are plain unconstrained least squares (Cholesky): the bench's peer.
 * With `noise: true` and `basis.noise` (the calibration's structured tracker noise, U·Uᵀ + floor²·C⁻¹) the data term
 * is the Mahalanobis distance: (1/N)[rᵀCr − bᵀA⁻¹b], b = UᵀCr, A = floor²·I + UᵀCU (Woodbury),
 * so residuals along the directions MediaPipe's output wanders in anyway count for little.
 * Optionally the first K identity modes β (unbounded, prior γ‖β‖²) are fitted too, so a real
 * face's shape is not explained by expressions (e.g. gaze shapes absorbing eye-shape differences).
 */
import type { LandmarkBasis } from "./correspondence.js";
export type { LandmarkNoise } from "./correspondence.js";

export interface LandmarkObservation {
  /** `[N*dims]` observed landmark positions, any units, y up. */
  readonly points: ArrayLike<number>;
  readonly dims: 2 | 3;
  /** Optional per-landmark confidence `[N]` (0 ignores a landmark). */
  readonly confidence?: ArrayLike<number>;
  /** Pinhole camera in observation units (pixels): perspective fit; absent = weak perspective. */
  readonly camera?: PinholeCamera;
}

export interface PinholeCamera {
  /** Focal length, observation units. */
  readonly focal: number;
  /** Principal point (x, y), observation units. */
  readonly center: readonly [number, number];
}

export interface HeadPose {
  /** Row-major 3×3 rotation from ICT model space to the observation frame. */
  readonly rotation: Float64Array;
  /** Translation in observation units (z is 0 for 2-D observations). */
  readonly translation: [number, number, number];
  /** Observation units per ICT centimetre. */
  readonly scale: number;
  /** The camera the pose is perspective in (absent: weak perspective). */
  readonly camera?: PinholeCamera;
}

export interface FitResult {
  readonly weights: Float32Array;
  /** Fitted identity coefficients β when `identity` was on (else absent). */
  readonly identity?: Float32Array;
  readonly pose: HeadPose;
  /** Root-mean-square landmark residual, observation units. */
  readonly rmse: number;
  readonly iterations: number;
}

export interface FitOptions {
  /** Maximum LM iterations (default 15 cold, 6 warm). */
  iterations?: number;
  /** Tikhonov weight λ on ‖w‖² (default 1e-3, in cm² per landmark). */
  tikhonov?: number;
  /**
   * L1 weight on the (non-negative) weights, Σ w_j (default 0): sparse expressions, so a pose is
   * not explained by many small spurious shapes. Bounded fits only (it is linear on [0, 1]).
   */
  sparsity?: number;
  /** Temporal weight μ on ‖w − previous.weights‖² (default 0; used when `previous` is given). */
  temporal?: number;
  /** Warm start (and temporal prior target) from the previous frame's result. */
  previous?: FitResult;
  /** Warm start only (no prior towards it); overrides `previous` as the starting point. */
  initial?: FitResult;
  /** Keep weights in [0, 1] (default true). false = unconstrained least squares. */
  bounded?: boolean;
  /** Projected Gauss–Seidel sweeps that seed each step's active set (default 8). */
  sweeps?: number;
  /**
   * η ∈ [0, 1]: removes that share of the data term's negative coupling between expressions
   * (penalty Σ_{j≠k} P_jk w_j w_k, P_jk = η·max(0, −H_jk) from the first linearization). Opposed
   * shapes whose landmark responses nearly cancel (smile vs frown, jawLeft vs mouthRight: cosines
   * of −0.95 in the calibrated basis) can then no longer be switched on together to explain noise;
   * at η = 1 such a pair costs what it would if the two were orthogonal (still convex).
   */
  decouple?: number;
  /** Read the residual through `basis.noise` (default false: plain weighted least squares). */
  noise?: boolean;
  /** Expression indices held at 0 (e.g. gaze, which 468 landmarks without irises cannot see). */
  fixedAtZero?: readonly number[];
  /** Also fit the basis' identity modes (needs `basis.identityModes`); γ = prior weight (default 1e-4). */
  identity?: boolean | { prior?: number };
}

/** Similarity normalization so λ means the same thing whatever the image size. */
interface Frame {
  center: [number, number, number];
  /** observation units per normalized unit */
  unit: number;
}

export function fitLandmarks(basis: LandmarkBasis, obs: LandmarkObservation, options: FitOptions = {}): FitResult {
  const N = basis.count;
  const d = obs.dims;
  if (obs.points.length !== N * d) throw new Error(`fitLandmarks: expected ${N * d} values (${N} landmarks × ${d}), got ${obs.points.length}`);
  const J = basis.modes.length;
  const withIdentity = !!options.identity && !!basis.identityModes?.length;
  const idModes = withIdentity ? basis.identityModes! : [];
  const gamma = typeof options.identity === "object" ? options.identity.prior ?? 1e-4 : 1e-4;
  const modes = [...basis.modes, ...idModes];
  const M = modes.length; // expression weights, then identity coefficients
  const P = M + 3 + d + 1; // linear coefficients, rotation increment, translation, log-scale
  const bounded = options.bounded ?? true;
  const lambda = options.tikhonov ?? 1e-3;
  const l1 = options.sparsity ?? 0;
  const prev = options.previous;
  const mu = prev ? options.temporal ?? 0 : 0;
  const start = options.initial ?? prev;
  const maxIter = options.iterations ?? (start ? 6 : 15);
  const sweeps = options.sweeps ?? 8;
  const conf = obs.confidence;

  const frame = normalization(basis, obs);
  const o = new Float64Array(N * d);
  for (let i = 0; i < N; i++) for (let a = 0; a < d; a++) o[i * d + a] = (obs.points[i * d + a]! - frame.center[a]!) / frame.unit;
  // The camera in the normalized frame (focal 0 = weak perspective).
  const cam = obs.camera;
  const fN = cam ? cam.focal / frame.unit : 0;
  const cN = cam ? [(cam.center[0] - frame.center[0]) / frame.unit, (cam.center[1] - frame.center[1]) / frame.unit] : [0, 0];
  /** Projected coordinate a of a rotated model point (y = Y_i), and the perspective factor q. */
  const proj = (yv: Float64Array, i: number, a: number, sv: number, tv: ArrayLike<number>): number => {
    if (!fN || a === 2) return sv * yv[i * 3 + a]! + tv[a]!;
    const q = perspectiveFactor(sv * yv[i * 3 + 2]! / fN);
    return cN[a]! + (sv * yv[i * 3 + a]! + tv[a]! - cN[a]!) * q;
  };

  // State in the normalized frame.
  const w = new Float64Array(M);
  let R: Float64Array = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const t = new Float64Array(3);
  let s = 1;
  if (start) {
    for (let j = 0; j < J; j++) w[j] = start.weights[j]!;
    if (withIdentity && start.identity) for (let k = 0; k < idModes.length; k++) w[J + k] = start.identity[k] ?? 0;
    R = Float64Array.from(start.pose.rotation);
    s = start.pose.scale / frame.unit;
    for (let a = 0; a < 3; a++) t[a] = (start.pose.translation[a]! - (a < d ? frame.center[a]! : 0)) / frame.unit;
  } else {
    // Centroids already match after normalization: only the model's offset needs cancelling.
    const c = centroid(basis.neutral, N);
    for (let a = 0; a < d; a++) t[a] = -c[a]!;
  }
  const wPrev = prev ? Float64Array.from(prev.weights) : new Float64Array(J);
  const fixed = new Uint8Array(J);
  for (const j of options.fixedAtZero ?? []) fixed[j] = 1;
  for (let j = 0; j < J; j++) if (fixed[j]) w[j] = 0;
  const lo = new Float64Array(P).fill(-Infinity);
  const hi = new Float64Array(P).fill(Infinity);

  const res = new Float64Array(N * d); // C·r of the last energy() call
  const X = new Float64Array(N * 3); // model-space landmarks L(w)
  const Y = new Float64Array(N * 3); // rotated
  const RD = new Float64Array(M * N * 3); // R · modes_j
  const H = new Float64Array(P * P);
  const g = new Float64Array(P);
  const row = new Float64Array(P);
  const delta = new Float64Array(P);

  // Structured noise (Woodbury): U `[K][N*d]` in the normalized frame, A⁻¹ `[K*K]`.
  const noise = basis.noise && options.noise ? noiseModel(basis.noise, N, d, conf) : undefined;
  const KN = noise ? noise.U.length : 0;
  const nb = new Float64Array(KN);
  const nB = new Float64Array(KN * P);
  const eta = options.decouple ?? 0;
  let coupling: Float64Array | undefined; // P `[J*J]`, fixed at the first linearization

  const energy = (wv: Float64Array, Rv: Float64Array, tv: Float64Array, sv: number): number => {
    shape(basis.neutral, modes, wv, X);
    res.fill(0);
    let e = 0;
    for (let i = 0; i < N; i++) {
      const ci = conf ? conf[i]! : 1;
      if (ci === 0) continue;
      rotate(Rv, X, i, Y);
      for (let a = 0; a < d; a++) {
        const r = proj(Y, i, a, sv, tv) - o[i * d + a]!;
        e += ci * r * r;
        res[i * d + a] = ci * r;
      }
    }
    if (noise) {
      // − bᵀA⁻¹b with b = UᵀC r (the energy loop left the residuals in `res`).
      const b = new Float64Array(KN);
      for (let k = 0; k < KN; k++) { const u = noise.U[k]!; let acc = 0; for (let q = 0; q < N * d; q++) acc += u[q]! * res[q]!; b[k] = acc; }
      e -= quadForm(noise.Ainv, b, KN);
    }
    e /= N;
    for (let j = 0; j < J; j++) e += lambda * wv[j]! ** 2 + mu * (wv[j]! - wPrev[j]!) ** 2 + l1 * Math.abs(wv[j]!);
    if (coupling) for (let j = 0; j < J; j++) for (let k = 0; k < J; k++) e += coupling[j * J + k]! * wv[j]! * wv[k]!;
    for (let j = J; j < M; j++) e += gamma * wv[j]! ** 2;
    return e;
  };

  let E = energy(w, R, t, s);
  let damping = 1e-3;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    // Linearize at the current state (energy() left X, Y for it).
    shape(basis.neutral, modes, w, X);
    for (let i = 0; i < N; i++) rotate(R, X, i, Y);
    for (let j = 0; j < M; j++) {
      const m = modes[j]!;
      for (let i = 0; i < N; i++) rotate(R, m, i, RD, j * N * 3);
    }
    H.fill(0);
    g.fill(0);
    nb.fill(0);
    nB.fill(0);
    for (let i = 0; i < N; i++) {
      const ci = conf ? conf[i]! : 1;
      if (ci === 0) continue;
      const yx = Y[i * 3]!, yy = Y[i * 3 + 1]!, yz = Y[i * 3 + 2]!;
      for (let a = 0; a < d; a++) {
        const ya = Y[i * 3 + a]!;
        // ∂p_a/∂Y = ga·e_a + gz·e_z; ∂p_a/∂t_a = gt; ∂p_a/∂log s = gs.
        let ga = s, gz = 0, gt = 1, gs = s * ya;
        if (fN && a < 2) {
          const q = perspectiveFactor(s * yz / fN);
          const u = s * ya + t[a]! - cN[a]!;
          ga = s * q; gz = (u * q * q * s) / fN; gt = q; gs = s * ya * q + u * q * q * s * yz / fN;
        }
        for (let j = 0; j < M; j++) row[j] = ga * RD[j * N * 3 + i * 3 + a]! + gz * RD[j * N * 3 + i * 3 + 2]!;
        // d(RX)/dδ for R ← exp([δ]×) R is −[RX]×: dY/dδ rows x (0, yz, −yy), y (−yz, 0, yx), z (yy, −yx, 0).
        if (a === 0) { row[M] = gz * yy; row[M + 1] = ga * yz - gz * yx; row[M + 2] = -ga * yy; }
        else if (a === 1) { row[M] = -ga * yz + gz * yy; row[M + 1] = -gz * yx; row[M + 2] = ga * yx; }
        else { row[M] = s * yy; row[M + 1] = -s * yx; row[M + 2] = 0; }
        for (let b = 0; b < d; b++) row[M + 3 + b] = a === b ? gt : 0;
        row[P - 1] = gs;
        const r = proj(Y, i, a, s, t) - o[i * d + a]!;
        const k = ci / N;
        for (let m = 0; m < KN; m++) {
          const um = noise!.U[m]![i * d + a]! * ci;
          if (um === 0) continue;
          nb[m] += um * r;
          const off = m * P;
          for (let p = 0; p < P; p++) nB[off + p] += um * row[p]!;
        }
        for (let p = 0; p < P; p++) {
          const rp = row[p]! * k;
          if (rp === 0) continue;
          g[p] += rp * r;
          const off = p * P;
          for (let q = p; q < P; q++) H[off + q] += rp * row[q]!;
        }
      }
    }
    for (let p = 0; p < P; p++) for (let q = p + 1; q < P; q++) H[q * P + p] = H[p * P + q]!;
    if (noise) {
      // H −= BᵀA⁻¹B / N, g −= BᵀA⁻¹b / N with B = UᵀCJ.
      const AB = new Float64Array(KN * P), Ab = new Float64Array(KN);
      for (let m = 0; m < KN; m++) {
        for (let l = 0; l < KN; l++) {
          const c = noise.Ainv[m * KN + l]!;
          Ab[m] += c * nb[l]!;
          for (let p = 0; p < P; p++) AB[m * P + p] += c * nB[l * P + p]!;
        }
      }
      for (let p = 0; p < P; p++) {
        let gp = 0;
        for (let m = 0; m < KN; m++) gp += nB[m * P + p]! * Ab[m]!;
        g[p] -= gp / N;
        for (let q = 0; q < P; q++) {
          let hpq = 0;
          for (let m = 0; m < KN; m++) hpq += nB[m * P + p]! * AB[m * P + q]!;
          H[p * P + q] -= hpq / N;
        }
      }
    }
    if (eta > 0 && !coupling) {
      coupling = new Float64Array(J * J);
      for (let j = 0; j < J; j++) for (let k = 0; k < J; k++) if (j !== k) coupling[j * J + k] = eta * Math.max(0, -H[j * P + k]!);
      E = energy(w, R, t, s); // the energy now includes the penalty
    }
    if (coupling) {
      for (let j = 0; j < J; j++) {
        for (let k = 0; k < J; k++) {
          const c = coupling[j * J + k]!;
          if (c === 0) continue;
          H[j * P + k] += c;
          g[j] += c * w[k]!;
        }
      }
    }
    for (let j = 0; j < J; j++) {
      H[j * P + j] += lambda + mu;
      g[j] += lambda * w[j]! + mu * (w[j]! - wPrev[j]!) + (bounded ? l1 : 0);
      lo[j] = fixed[j] ? 0 : bounded ? -w[j]! : -Infinity;
      hi[j] = fixed[j] ? 0 : bounded ? 1 - w[j]! : Infinity;
    }
    for (let j = J; j < M; j++) {
      H[j * P + j] += gamma;
      g[j] += gamma * w[j]!;
    }

    // Try steps with growing damping until the energy decreases.
    let accepted = false;
    let done = false;
    for (let attempt = 0; attempt < 8 && !accepted; attempt++) {
      if (bounded) solveBoxQP(H, g, lo, hi, damping, sweeps, delta);
      else solveCholesky(H, g, damping, delta);
      const w2 = new Float64Array(M);
      for (let j = 0; j < M; j++) w2[j] = bounded && j < J ? clamp01(w[j]! + delta[j]!) : w[j]! + delta[j]!;
      const R2 = multiply3(rodrigues(delta[M]!, delta[M + 1]!, delta[M + 2]!), R);
      const t2 = Float64Array.from(t);
      for (let a = 0; a < d; a++) t2[a] += delta[M + 3 + a]!;
      const s2 = s * Math.exp(delta[P - 1]!);
      const E2 = energy(w2, R2, t2, s2);
      if (E2 <= E) {
        accepted = true;
        const rel = (E - E2) / Math.max(E, 1e-30);
        let stepMax = 0;
        for (let p = 0; p < P; p++) stepMax = Math.max(stepMax, Math.abs(delta[p]!));
        w.set(w2); R = R2; t.set(t2); s = s2; E = E2;
        damping = Math.max(damping / 3, 1e-9);
        // Converged: the energy stalls, or no unknown moves by more than 1e-4 (weights are
        // in [0, 1], angles in radians, translation and log-scale in normalized units).
        if (rel < 1e-6 || stepMax < 1e-4) { iter++; done = true; }
      } else {
        damping *= 10;
      }
    }
    if (!accepted || done) break;
  }

  // Data-term RMSE, back in observation units.
  shape(basis.neutral, modes, w, X);
  let sq = 0, count = 0;
  for (let i = 0; i < N; i++) {
    const ci = conf ? conf[i]! : 1;
    if (ci === 0) continue;
    rotate(R, X, i, Y);
    for (let a = 0; a < d; a++) sq += (proj(Y, i, a, s, t) - o[i * d + a]!) ** 2;
    count += d;
  }
  const translation: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < d; a++) translation[a] = t[a]! * frame.unit + frame.center[a]!;
  return {
    weights: Float32Array.from(w.subarray(0, J)),
    ...(withIdentity ? { identity: Float32Array.from(w.subarray(J)) } : {}),
    pose: { rotation: R, translation, scale: s * frame.unit, ...(cam ? { camera: cam } : {}) },
    rmse: Math.sqrt(sq / Math.max(count, 1)) * frame.unit,
    iterations: iter,
  };
}

/**
 * The noise model in the fit's terms: U = the noise modes' first d coordinates per landmark
 * (model cm ≈ the normalized frame's units; pose rotation ignored, fine for the ±20° turns the
 * calibration's frontal noise describes), C = diag(confidence), A⁻¹ = (floor²·I + UᵀCU)⁻¹.
 */
function noiseModel(n: NonNullable<LandmarkBasis["noise"]>, N: number, d: number, conf: ArrayLike<number> | undefined): { U: Float64Array[]; Ainv: Float64Array } {
  const K = n.modes.length;
  const U = n.modes.map((m) => {
    const u = new Float64Array(N * d);
    for (let i = 0; i < N; i++) for (let a = 0; a < Math.min(d, 2); a++) u[i * d + a] = m[i * 3 + a]!;
    return u;
  });
  const A = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    for (let l = k; l < K; l++) {
      let acc = 0;
      for (let i = 0; i < N; i++) {
        const ci = conf ? conf[i]! : 1;
        for (let a = 0; a < d; a++) acc += ci * U[k]![i * d + a]! * U[l]![i * d + a]!;
      }
      A[k * K + l] = A[l * K + k] = acc + (k === l ? n.floor ** 2 : 0);
    }
  }
  const Ainv = new Float64Array(K * K);
  const e = new Float64Array(K), x = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    e.fill(0); e[k] = 1;
    choleskySolve(A, e, K, x);
    for (let l = 0; l < K; l++) Ainv[l * K + k] = x[l]!;
  }
  return { U, Ainv };
}

function quadForm(A: Float64Array, x: Float64Array, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) s += x[k]! * A[k * K + l]! * x[l]!;
  return s;
}

/** Projects model landmarks L(w) with a pose: `[N*dims]`, the forward model of fitLandmarks. */
export function projectLandmarks(basis: LandmarkBasis, weights: ArrayLike<number>, pose: HeadPose, dims: 2 | 3, identity?: ArrayLike<number>): Float64Array {
  const N = basis.count;
  const X = new Float64Array(N * 3);
  const coeffs = identity ? [...Array.from(weights), ...Array.from(identity)] : weights;
  shape(basis.neutral, identity ? [...basis.modes, ...(basis.identityModes ?? []).slice(0, identity.length)] : basis.modes, coeffs, X);
  const Y = new Float64Array(N * 3);
  const out = new Float64Array(N * dims);
  const cam = pose.camera;
  for (let i = 0; i < N; i++) {
    rotate(pose.rotation, X, i, Y);
    const q = cam ? perspectiveFactor(pose.scale * Y[i * 3 + 2]! / cam.focal) : 1;
    for (let a = 0; a < dims; a++) {
      const weak = pose.scale * Y[i * 3 + a]! + pose.translation[a]!;
      out[i * dims + a] = cam && a < 2 ? cam.center[a]! + (weak - cam.center[a]!) * q : weak;
    }
  }
  return out;
}

/** 1 / (1 − s·Y_z / f): how much nearer (larger) a point at depth Y_z projects; kept finite behind the camera. */
export function perspectiveFactor(depthRatio: number): number {
  return 1 / Math.max(1 - depthRatio, 0.05);
}

/** Rotation matrix (row-major) from yaw/pitch/roll in degrees: R = Rz(roll)·Ry(yaw)·Rx(pitch). */
export function rotationFromEuler(yawDeg: number, pitchDeg: number, rollDeg: number): Float64Array {
  const r = Math.PI / 180;
  const rx = rodrigues(pitchDeg * r, 0, 0), ry = rodrigues(0, yawDeg * r, 0), rz = rodrigues(0, 0, rollDeg * r);
  return multiply3(rz, multiply3(ry, rx));
}

function normalization(basis: LandmarkBasis, obs: LandmarkObservation): Frame {
  const N = basis.count, d = obs.dims;
  const center: [number, number, number] = [0, 0, 0];
  let total = 0;
  for (let i = 0; i < N; i++) {
    const c = obs.confidence ? obs.confidence[i]! : 1;
    total += c;
    for (let a = 0; a < d; a++) center[a] += c * obs.points[i * d + a]!;
  }
  if (!(total > 0)) throw new Error("fitLandmarks: every landmark has zero confidence");
  for (let a = 0; a < d; a++) center[a] /= total;
  // RMS radius in x, y (z from monocular trackers is less reliable) against the neutral's.
  let ro = 0;
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) ro += (obs.points[i * d + a]! - center[a]!) ** 2;
  const cn = centroid(basis.neutral, N);
  let rn = 0;
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) rn += (basis.neutral[i * 3 + a]! - cn[a]!) ** 2;
  if (!(ro > 0)) throw new Error("fitLandmarks: observed landmarks are all at one point");
  return { center, unit: Math.sqrt(ro / rn) };
}

function centroid(p: ArrayLike<number>, n: number): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) c[a] += p[i * 3 + a]!;
  return [c[0] / n, c[1] / n, c[2] / n];
}

function shape(neutral: Float32Array, modes: readonly Float32Array[], w: ArrayLike<number>, out: Float64Array): void {
  const n = neutral.length;
  for (let k = 0; k < n; k++) out[k] = neutral[k]!;
  for (let j = 0; j < modes.length; j++) {
    const wj = w[j]!;
    if (wj === 0) continue;
    const m = modes[j]!;
    for (let k = 0; k < n; k++) out[k] += wj * m[k]!;
  }
}

function rotate(R: ArrayLike<number>, src: ArrayLike<number>, i: number, dst: Float64Array, dstOffset = 0): void {
  const x = src[i * 3]!, y = src[i * 3 + 1]!, z = src[i * 3 + 2]!;
  const o = dstOffset + i * 3;
  dst[o] = R[0]! * x + R[1]! * y + R[2]! * z;
  dst[o + 1] = R[3]! * x + R[4]! * y + R[5]! * z;
  dst[o + 2] = R[6]! * x + R[7]! * y + R[8]! * z;
}

function rodrigues(x: number, y: number, z: number): Float64Array {
  const th = Math.hypot(x, y, z);
  if (th < 1e-12) return new Float64Array([1, -z, y, z, 1, -x, -y, x, 1]);
  const kx = x / th, ky = y / th, kz = z / th;
  const c = Math.cos(th), sn = Math.sin(th), v = 1 - c;
  return new Float64Array([
    c + kx * kx * v, kx * ky * v - kz * sn, kx * kz * v + ky * sn,
    ky * kx * v + kz * sn, c + ky * ky * v, ky * kz * v - kx * sn,
    kz * kx * v - ky * sn, kz * ky * v + kx * sn, c + kz * kz * v,
  ]);
}

function multiply3(A: ArrayLike<number>, B: ArrayLike<number>): Float64Array {
  const C = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) C[r * 3 + c] = A[r * 3]! * B[c]! + A[r * 3 + 1]! * B[3 + c]! + A[r * 3 + 2]! * B[6 + c]!;
  return C;
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * min ½ δᵀ(H + damping·diag(H))δ + gᵀδ  s.t. lo ≤ δ ≤ hi (H symmetric positive definite).
 * A few projected Gauss–Seidel sweeps guess which bounds are active; then an active-set loop
 * solves the free unknowns exactly (Cholesky), clamps any that leave the box, and releases
 * bounds whose multiplier has the wrong sign, until the KKT conditions hold (or 30 rounds).
 */
export function solveBoxQP(H: Float64Array, g: Float64Array, lo: Float64Array, hi: Float64Array, damping: number, sweeps: number, delta: Float64Array): void {
  const P = g.length;
  const diag = (k: number) => H[k * P + k]! * (1 + damping) + 1e-12;
  delta.fill(0);
  for (let k = 0; k < P; k++) delta[k] = Math.min(hi[k]!, Math.max(lo[k]!, 0));
  const grad = (k: number) => {
    let q = g[k]! + H[k * P + k]! * damping * delta[k]!;
    for (let p = 0; p < P; p++) q += H[k * P + p]! * delta[p]!;
    return q;
  };
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let k = 0; k < P; k++) delta[k] = Math.min(hi[k]!, Math.max(lo[k]!, delta[k]! - grad(k) / diag(k)));
  }
  // 0 = free, −1 = at lo, +1 = at hi
  const state = new Int8Array(P);
  for (let k = 0; k < P; k++) state[k] = delta[k]! <= lo[k]! ? -1 : delta[k]! >= hi[k]! ? 1 : 0;
  const free: number[] = [];
  for (let round = 0; round < 30; round++) {
    free.length = 0;
    for (let k = 0; k < P; k++) if (state[k] === 0) free.push(k);
    for (let k = 0; k < P; k++) if (state[k] !== 0) delta[k] = state[k]! < 0 ? lo[k]! : hi[k]!;
    const F = free.length;
    const A = new Float64Array(F * F);
    const b = new Float64Array(F);
    for (let i = 0; i < F; i++) {
      const ki = free[i]!;
      let r = -g[ki]!;
      for (let p = 0; p < P; p++) if (state[p] !== 0) r -= H[ki * P + p]! * delta[p]!;
      b[i] = r;
      for (let j = 0; j < F; j++) A[i * F + j] = H[ki * P + free[j]!]! + (i === j ? H[ki * P + ki]! * damping + 1e-12 : 0);
    }
    const x = new Float64Array(F);
    choleskySolve(A, b, F, x);
    let clamped = false;
    for (let i = 0; i < F; i++) {
      const k = free[i]!;
      if (x[i]! < lo[k]!) { state[k] = -1; clamped = true; }
      else if (x[i]! > hi[k]!) { state[k] = 1; clamped = true; }
      else delta[k] = x[i]!;
    }
    if (clamped) continue;
    let released = false;
    for (let k = 0; k < P; k++) {
      if (state[k] === 0) continue;
      const q = grad(k);
      // At a lower bound the objective must not decrease upwards (q ≥ 0); at an upper bound, q ≤ 0.
      if ((state[k] === -1 && q < -1e-12) || (state[k] === 1 && q > 1e-12)) { state[k] = 0; released = true; }
    }
    if (!released) return;
  }
  for (let k = 0; k < P; k++) delta[k] = Math.min(hi[k]!, Math.max(lo[k]!, delta[k]!));
}

/** Solves A x = b for symmetric positive definite A `[n*n]` (in place factorization of a copy). */
function choleskySolve(A: Float64Array, b: Float64Array, n: number, x: Float64Array): void {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-18)) : sum / L[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= L[i * n + k]! * y[k]!;
    y[i] = sum / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i]! * x[k]!;
    x[i] = sum / L[i * n + i]!;
  }
}

/** Unconstrained damped step: (H + damping·diag(H)) δ = −g by Cholesky. */
export function solveCholesky(H: Float64Array, g: Float64Array, damping: number, delta: Float64Array): void {
  const P = g.length;
  const A = Float64Array.from(H);
  for (let k = 0; k < P; k++) A[k * P + k] += H[k * P + k]! * damping + 1e-12;
  choleskySolve(A, Float64Array.from(g, (v) => -v), P, delta);
}
