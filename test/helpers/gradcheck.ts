// Central finite differences against an analytic adjoint (tinygrad style: one helper, each
// op's check is a line). Relative error = (|analytic − numeric| − float32 rounding bound) /
// max(|analytic|, |numeric|, floor·max|analytic|): the floor keeps near-zero entries of a
// gradient from being judged relatively. The scalar probed is L = Σ wᵢ·outᵢ with fixed
// random weights, so dL/dout = w is what the adjoint receives. By default only coordinates
// with a non-zero analytic gradient are probed; callers assert a minimum probe count, so an
// adjoint that drops a whole path still fails.
import { Rng } from "../../src/engine/util/rng.js";

export interface Forward {
  out: Float32Array;
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
}

export interface ProbeResult {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
  /** Bound on the difference's float32 rounding noise, discounted from the error. */
  noise: number;
  relError: number;
}

export interface GradcheckResult {
  probes: ProbeResult[];
  /** Probes skipped because the perturbation changed `key` (e.g. coverage). */
  skipped: number;
  maxRelError: number;
  worst?: ProbeResult;
  /** At least one probe, all under tol. */
  ok: boolean;
}

export function gradcheck(
  forward: (inputs: Record<string, Float32Array>) => Forward,
  backward: (inputs: Record<string, Float32Array>, gradOut: Float32Array) => Record<string, Float32Array | undefined>,
  inputs: Record<string, Float32Array>,
  opts: GradcheckOptions = {},
): GradcheckResult {
  const { probes: nProbes = 12, seed = 7, tol = 1e-3, floor = 1e-2, nonzero = true } = opts;
  const rng = new Rng(seed);
  const base = forward(inputs);
  const w = new Float32Array(base.out.length);
  for (let i = 0; i < w.length; i++) w[i] = rng.range(-1, 1);
  const grads = backward(inputs, w);
  const loss = (out: Float32Array) => {
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
      results.push({ input: name, index: idx, analytic, numeric, noise, relError: excess / denom });
      taken++;
    }
  }
  let worst: ProbeResult | undefined;
  for (const r of results) if (!worst || r.relError > worst.relError) worst = r;
  return { probes: results, skipped, maxRelError: worst?.relError ?? 0, worst, ok: results.length > 0 && (worst?.relError ?? 0) < tol };
}

/**
 * The forward runs in float32: each output that changed between the two evaluations carries
 * up to half an ulp of rounding per evaluation, plus about as much from float32
 * intermediates (barycentrics, interpolated uv). The bound is 4·Σ|wᵢ|·ulp(outᵢ); the caller
 * divides by the step. Outputs identical in both evaluations add nothing.
 */
function roundingNoise(a: Float32Array, b: Float32Array, w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const m = Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
    s += Math.abs(w[i]!) * (m > 0 ? 2 ** (Math.floor(Math.log2(m)) - 23) : 0);
  }
  return 4 * s;
}

/** Formats the worst probe for an assertion message. */
export function describe(r: GradcheckResult): string {
  const w = r.worst;
  return w ? `worst ${w.input}[${w.index}]: analytic ${w.analytic} vs numeric ${w.numeric} (rel ${w.relError.toExponential(2)} beyond a rounding bound ${w.noise.toExponential(1)}), ${r.probes.length} probes, ${r.skipped} skipped` : "no probes";
}
