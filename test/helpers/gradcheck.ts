// Central finite differences against an analytic adjoint (tinygrad style: one helper, each
// op's check is a line). Relative error = (|analytic − numeric| − float32 rounding bound) /
// max(|analytic|, |numeric|, floor·max|analytic|): the floor keeps near-zero entries of a
// gradient from being judged relatively. The scalar probed is L = Σ wᵢ·outᵢ with fixed
// random weights, so dL/dout = w is what the adjoint receives. By default only coordinates
// with a non-zero analytic gradient are probed, and every input needs `minProbes` probes of
// its own: an adjoint that drops (zeroes) one input's path fails even when the other inputs'
// probes pass. The raw relative error (no rounding allowance) is reported beside the adjusted
// one. For inputs too large to probe coordinate by coordinate, gradcheckDirectional compares
// ⟨∇L, v⟩ with the finite difference of L along random directions v. This is the project's one
// finite-difference checker: the ONNX autodiff checks (onnx-gradcheck.ts) only build and run
// the graphs and call gradcheckDirectional (float64 inputs, single-coordinate probes, N(0, I)
// directions).
import { Rng } from "../../src/engine/util/rng.js";

export interface Forward {
  /** Float64Array for a forward computed in double precision (a scalar loss, say). */
  out: Float32Array | Float64Array;
  /** Anything whose change invalidates a finite difference (e.g. the raster's coverage). */
  key?: Int32Array | Uint8Array;
}

export interface GradcheckOptions {
  /**
   * Step per input (default 1e-3). A list is tried largest first: the first step whose
   * perturbation leaves `key` unchanged is used (a large step keeps float32 rounding noise
   * small; a coverage change makes the difference meaningless).
   */
  eps?: Record<string, number | readonly number[]> | number;
  /** Coordinates to probe per input (default: `probes` random ones). */
  indices?: Record<string, readonly number[]>;
  probes?: number;
  seed?: number;
  /** Relative tolerance (default 1e-3). */
  tol?: number;
  /** Gradients below floor·max|analytic| of that input are compared absolutely against it. */
  floor?: number;
  /** Only probe coordinates whose analytic gradient is non-zero (default true). */
  nonzero?: boolean;
  /** Probes every input needs for `ok` (default min(probes, 6)); fewer (e.g. a zeroed gradient) fails. */
  minProbes?: number;
}

export interface ProbeResult {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
  /** Bound on the difference's float32 rounding noise, discounted from the error. */
  noise: number;
  /** Relative error after discounting `noise`: what `tol` applies to. */
  relError: number;
  /** |analytic − numeric| / the same denominator, with no rounding allowance. */
  rawRelError: number;
}

export interface GradcheckResult {
  probes: ProbeResult[];
  /** Probes skipped because the perturbation changed `key` (e.g. coverage). */
  skipped: number;
  maxRelError: number;
  maxRawRelError: number;
  worst?: ProbeResult;
  /** Probes taken per input. */
  perInput: Record<string, number>;
  /** Inputs with fewer than minProbes probes. */
  starved: string[];
  /** Every input has minProbes probes, and all are under tol. */
  ok: boolean;
}

export function gradcheck(
  forward: (inputs: Record<string, Float32Array>) => Forward,
  backward: (inputs: Record<string, Float32Array>, gradOut: Float32Array) => Record<string, Float32Array | undefined>,
  inputs: Record<string, Float32Array>,
  opts: GradcheckOptions = {},
): GradcheckResult {
  const { probes: nProbes = 12, seed = 7, tol = 1e-3, floor = 1e-2, nonzero = true } = opts;
  const minProbes = opts.minProbes ?? Math.min(nProbes, 6);
  const rng = new Rng(seed);
  const base = forward(inputs);
  const w = new Float32Array(base.out.length);
  for (let i = 0; i < w.length; i++) w[i] = rng.range(-1, 1);
  const grads = backward(inputs, w);
  const loss = (out: Float32Array | Float64Array) => {
    let s = 0;
    for (let i = 0; i < out.length; i++) s += w[i]! * out[i]!;
    return s;
  };
  const sameKey = (k?: Int32Array | Uint8Array) => {
    if (!base.key || !k) return true;
    for (let i = 0; i < k.length; i++) if (k[i] !== base.key[i]) return false;
    return true;
  };
  const results: ProbeResult[] = [];
  const perInput: Record<string, number> = {};
  let skipped = 0;
  for (const [name, x] of Object.entries(inputs)) {
    const g = grads[name];
    if (!g) throw new Error(`gradcheck: backward returned no gradient for "${name}"`);
    if (g.length !== x.length) throw new Error(`gradcheck: gradient for "${name}" has ${g.length} values, input has ${x.length}`);
    let gmax = 0;
    for (let i = 0; i < g.length; i++) gmax = Math.max(gmax, Math.abs(g[i]!));
    const e = typeof opts.eps === "number" ? opts.eps : opts.eps?.[name] ?? 1e-3;
    const steps = typeof e === "number" ? [e] : e;
    let candidates = opts.indices?.[name];
    if (!candidates) {
      const pool: number[] = [];
      for (let i = 0; i < x.length; i++) if (!nonzero || g[i] !== 0) pool.push(i);
      candidates = pool;
    }
    const order = [...candidates];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let taken = 0;
    for (const idx of order) {
      if (taken >= nProbes) break;
      const orig = x[idx]!;
      let numeric = NaN, noise = 0;
      for (const eps of steps) {
        x[idx] = orig + eps;
        const hi = x[idx]!;
        const fp = forward(inputs);
        x[idx] = orig - eps;
        const lo = x[idx]!;
        const fm = forward(inputs);
        x[idx] = orig;
        if (!sameKey(fp.key) || !sameKey(fm.key)) continue;
        numeric = (loss(fp.out) - loss(fm.out)) / (hi - lo);
        noise = roundingNoise(fp.out, fm.out, w) / (hi - lo);
        break;
      }
      if (Number.isNaN(numeric)) { skipped++; continue; }
      const analytic = g[idx]!;
      const denom = Math.max(Math.abs(analytic), Math.abs(numeric), floor * gmax, 1e-12);
      const excess = Math.max(0, Math.abs(analytic - numeric) - noise);
      results.push({ input: name, index: idx, analytic, numeric, noise, relError: excess / denom, rawRelError: Math.abs(analytic - numeric) / denom });
      taken++;
    }
    perInput[name] = taken;
  }
  return summarize(results, skipped, perInput, minProbes, tol);
}

function summarize(probes: ProbeResult[], skipped: number, perInput: Record<string, number>, minProbes: number, tol: number): GradcheckResult {
  let worst: ProbeResult | undefined;
  let maxRaw = 0;
  for (const r of probes) {
    if (!worst || r.relError > worst.relError) worst = r;
    maxRaw = Math.max(maxRaw, r.rawRelError);
  }
  const starved = Object.keys(perInput).filter((name) => perInput[name]! < minProbes);
  const maxRelError = worst?.relError ?? 0;
  return { probes, skipped, maxRelError, maxRawRelError: maxRaw, worst, perInput, starved, ok: probes.length > 0 && starved.length === 0 && maxRelError < tol };
}

export interface DirectionalOptions {
  /** Step along each direction (default 1e-3). */
  eps?: number;
  /** Random directions per input (default 3). */
  directions?: number;
  /** Single-coordinate probes per input after the directions (default 0): the direction e_i, at a random i. */
  coordinates?: number;
  seed?: number;
  /** Relative tolerance (default 1e-3) on |⟨g,v⟩ − FD| / max(|⟨g,v⟩|, |FD|, floor·‖g‖₂). */
  tol?: number;
  floor?: number;
  /** Unit directions (default), or false: v ~ N(0, I) as drawn, so the step is eps·‖v‖. */
  normalize?: boolean;
  /** Inputs whose gradient is zero by construction: probed, but a zero gradient does not fail them. */
  zeroOk?: readonly string[];
}

export type Floats = Float32Array | Float64Array;

/**
 * The directional variant, for inputs too large (latents, whole maps) or too costly (an ONNX
 * session per evaluation) to probe per coordinate: per input, along `directions` random
 * directions v (and `coordinates` single coordinates), the analytic ⟨∇L, v⟩ against
 * (L(x+εv) − L(x−εv)) / 2ε. Async, so a forward may run models. Inputs may be float64 (the
 * ONNX op checks). The float32 rounding allowance is the same bound as gradcheck's. A zero
 * gradient for an input fails (its ⟨∇L, v⟩ would be 0 while the difference is not) unless
 * the input is listed in `zeroOk`. Every input needs all its probes for `ok`.
 */
export async function gradcheckDirectional<T extends Floats = Float32Array>(
  forward: (inputs: Record<string, T>) => Promise<Forward> | Forward,
  backward: (inputs: Record<string, T>, gradOut: Float32Array) => Promise<Record<string, Floats | undefined>> | Record<string, Floats | undefined>,
  inputs: Record<string, T>,
  opts: DirectionalOptions = {},
): Promise<GradcheckResult> {
  const { eps = 1e-3, directions = 3, coordinates = 0, seed = 7, tol = 1e-3, floor = 1e-6, normalize = true, zeroOk = [] } = opts;
  const rng = new Rng(seed);
  const base = await forward(inputs);
  const w = new Float32Array(base.out.length);
  for (let i = 0; i < w.length; i++) w[i] = rng.range(-1, 1);
  const grads = await backward(inputs, w);
  const loss = (out: Float32Array | Float64Array) => {
    let s = 0;
    for (let i = 0; i < out.length; i++) s += w[i]! * out[i]!;
    return s;
  };
  const results: ProbeResult[] = [];
  const perInput: Record<string, number> = {};
  for (const [name, x] of Object.entries(inputs)) {
    const g = grads[name];
    if (!g) throw new Error(`gradcheckDirectional: backward returned no gradient for "${name}"`);
    if (g.length !== x.length) throw new Error(`gradcheckDirectional: gradient for "${name}" has ${g.length} values, input has ${x.length}`);
    let gnorm = 0;
    for (let i = 0; i < g.length; i++) gnorm += g[i]! * g[i]!;
    gnorm = Math.sqrt(gnorm);
    const orig = x.slice();
    // Index −1−d for a random direction d, the coordinate itself for a single-coordinate probe.
    const probes: { index: number; v: Float64Array }[] = [];
    for (let d = 0; d < directions; d++) {
      const v = Float64Array.from(rng.normals(x.length));
      const n = normalize ? Math.sqrt(v.reduce((s, a) => s + a * a, 0)) : 1;
      probes.push({ index: -1 - d, v: v.map((a) => a / n) });
    }
    for (let c = 0; c < coordinates; c++) {
      const index = rng.int(0, x.length - 1);
      const v = new Float64Array(x.length);
      v[index] = 1;
      probes.push({ index, v });
    }
    let taken = 0;
    for (const { index, v } of probes) {
      let analytic = 0;
      for (let i = 0; i < v.length; i++) analytic += g[i]! * v[i]!;
      for (let i = 0; i < x.length; i++) x[i] = orig[i]! + eps * v[i]!;
      const fp = await forward(inputs);
      for (let i = 0; i < x.length; i++) x[i] = orig[i]! - eps * v[i]!;
      const fm = await forward(inputs);
      x.set(orig);
      const numeric = (loss(fp.out) - loss(fm.out)) / (2 * eps);
      const noise = roundingNoise(fp.out, fm.out, w) / (2 * eps);
      const denom = Math.max(Math.abs(analytic), Math.abs(numeric), floor * gnorm, 1e-12);
      const diff = Math.abs(analytic - numeric);
      results.push({ input: name, index, analytic, numeric, noise, relError: Math.max(0, diff - noise) / denom, rawRelError: diff / denom });
      taken++;
    }
    perInput[name] = gnorm > 0 || zeroOk.includes(name) ? taken : 0; // a zero gradient has no direction to check
  }
  return summarize(results, 0, perInput, directions + coordinates, tol);
}

/**
 * The forward runs in float32 (or float64, with its ulp): each output that changed between the two evaluations carries
 * up to half an ulp of rounding per evaluation, plus about as much from float32
 * intermediates (barycentrics, interpolated uv). The bound is 4·Σ|wᵢ|·ulp(outᵢ); the caller
 * divides by the step. Outputs identical in both evaluations add nothing.
 */
function roundingNoise(a: Float32Array | Float64Array, b: Float32Array | Float64Array, w: Float32Array): number {
  const mantissa = a instanceof Float64Array ? 52 : 23;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const m = Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
    s += Math.abs(w[i]!) * (m > 0 ? 2 ** (Math.floor(Math.log2(m)) - mantissa) : 0);
  }
  return 4 * s;
}

/** Formats the worst probe for an assertion message. */
export function describe(r: GradcheckResult): string {
  const w = r.worst;
  const counts = Object.entries(r.perInput).map(([k, n]) => `${k} ${n}`).join(", ");
  const starved = r.starved.length ? `; too few probes for ${r.starved.join(", ")} (a zero or missing gradient)` : "";
  const where = (p: ProbeResult) => (p.index < 0 ? `${p.input} along direction ${-1 - p.index}` : `${p.input}[${p.index}]`);
  return w
    ? `worst ${where(w)}: analytic ${w.analytic} vs numeric ${w.numeric} (rel ${w.relError.toExponential(2)} beyond a rounding bound ${w.noise.toExponential(1)}, raw ${w.rawRelError.toExponential(2)}; max raw ${r.maxRawRelError.toExponential(2)}), probes ${counts}, ${r.skipped} skipped${starved}`
    : `no probes (${counts})${starved}`;
}
