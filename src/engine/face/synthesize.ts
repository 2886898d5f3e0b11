/**
 * Linear face synthesis T(β, e) = T̄ + Σ βᵢ Sᵢ + Σ eⱼ Eⱼ on the vertices of a region.
 * Only nonzero coefficients are visited: an optimisation step typically moves a few modes, and
 * the sliders of the workbench change one at a time.
 */
import type { FaceModel } from "./types.js";

export type Coefficients = Float32Array | Float64Array | readonly number[];

export interface SynthesisInput {
  identity?: Coefficients;
  expression?: Coefficients;
  /** "dreamface" (14062 vertices, default) or "full" (26719). Both are prefixes of the model's vertices. */
  region?: "dreamface" | "full";
}

function accumulate(out: Float32Array, n: number, modes: readonly Float32Array[], coeffs: Coefficients | undefined, what: string): void {
  if (!coeffs) return;
  if (coeffs.length > modes.length) throw new Error(`${what}: ${coeffs.length} coefficients for ${modes.length} modes`);
  const active: number[] = [];
  for (let k = 0; k < coeffs.length; k++) {
    const w = coeffs[k]!;
    if (w === 0) continue;
    if (!Number.isFinite(w)) throw new Error(`${what}[${k}] is not a finite number (${w})`);
    active.push(k);
  }
  // Four modes per pass over `out`: a quarter of the memory traffic on the accumulator.
  let a = 0;
  for (; a + 4 <= active.length; a += 4) {
    const k0 = active[a]!, k1 = active[a + 1]!, k2 = active[a + 2]!, k3 = active[a + 3]!;
    const w0 = coeffs[k0]!, w1 = coeffs[k1]!, w2 = coeffs[k2]!, w3 = coeffs[k3]!;
    const m0 = modes[k0]!, m1 = modes[k1]!, m2 = modes[k2]!, m3 = modes[k3]!;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w0 * m0[i]! + w1 * m1[i]! + w2 * m2[i]! + w3 * m3[i]!;
  }
  for (; a < active.length; a++) {
    const w = coeffs[active[a]!]!, m = modes[active[a]!]!;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * m[i]!;
  }
}

/** Positions `[V_region*3]`; writes into `out` when given (it must be that long). */
export function synthesize(model: FaceModel, input: SynthesisInput = {}, out?: Float32Array): Float32Array {
  const region = model.regions[input.region ?? "dreamface"];
  const n = region.vertexCount * 3;
  if (n > model.neutral.length) throw new Error(`region "${region.name}" is not in this model (it holds ${model.vertexCount} vertices)`);
  if (out && out.length !== n) throw new Error(`out has length ${out.length}, expected ${n}`);
  const result = out ?? new Float32Array(n);
  result.set(model.neutral.subarray(0, n));
  accumulate(result, n, model.identityModes, input.identity, "identity");
  accumulate(result, n, model.expressionModes, input.expression, "expression");
  return result;
}

/**
 * The adjoint of `synthesize` (linear in the coefficients): dL/dβ_k = S_k · dL/dT and
 * dL/de_j = E_j · dL/dT over the region's vertices `gPositions` [V_region*3]. `identity` and
 * `expression` give how many coefficients to return (default: every mode; 0 skips the group).
 */
export function synthesizeBackward(
  model: FaceModel,
  gPositions: Float32Array,
  counts: { identity?: number; expression?: number } = {},
): { identity: Float32Array; expression: Float32Array } {
  const n = gPositions.length;
  const dot = (modes: readonly Float32Array[], count: number) => {
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) {
      const m = modes[k]!;
      let s = 0;
      for (let q = 0; q < n; q++) s += m[q]! * gPositions[q]!;
      out[k] = s;
    }
    return out;
  };
  return {
    identity: dot(model.identityModes, Math.min(counts.identity ?? model.identityModes.length, model.identityModes.length)),
    expression: dot(model.expressionModes, Math.min(counts.expression ?? model.expressionModes.length, model.expressionModes.length)),
  };
}

/** Index of an expression by its ARKit name, or -1. */
export function expressionIndex(model: FaceModel, name: string): number {
  return model.expressionNames.indexOf(name);
}
