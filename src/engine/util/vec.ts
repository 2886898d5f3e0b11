/** Small vector helpers on flat Float32Arrays, shared by the optimization stages. */

/** Euclidean norm (float64 accumulation, so logged grad norms don't depend on summation order noise). */
export function l2norm(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/** out = a·x + out, in place. */
export function axpy(a: number, x: Float32Array, out: Float32Array): Float32Array {
  if (x.length !== out.length) throw new Error(`axpy: length ${x.length} ≠ ${out.length}`);
  for (let i = 0; i < x.length; i++) out[i]! += a * x[i]!;
  return out;
}
