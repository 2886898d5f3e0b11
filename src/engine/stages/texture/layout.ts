/**
 * The stage keeps images and latents channels-last (`[H*W*C]`, the renderer's texture layout)
 * and converts at the model boundary, where ONNX graphs take NCHW `[1, C, H, W]`.
 */

export function hwcToNchw(src: Float32Array, h: number, w: number, c: number, out = new Float32Array(h * w * c)): Float32Array {
  const plane = h * w;
  for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[k * plane + p] = src[p * c + k]!;
  return out;
}

export function nchwToHwc(src: Float32Array, h: number, w: number, c: number, out = new Float32Array(h * w * c)): Float32Array {
  const plane = h * w;
  for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[p * c + k] = src[k * plane + p]!;
  return out;
}

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
