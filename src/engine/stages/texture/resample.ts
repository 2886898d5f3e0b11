/**
 * Classical separable resampling (Lanczos-3 or Keys bicubic, a = −0.5), the labelled fallback
 * when no super-resolution model is installed. Images are channels-last `[H*W*C]`, any C.
 * Edge pixels are clamped; weights are normalized per output pixel so flat images stay flat.
 */
export type ResampleKernel = "lanczos3" | "bicubic";

function kernelFn(kind: ResampleKernel): { radius: number; f: (x: number) => number } {
  if (kind === "bicubic") {
    const a = -0.5;
    return {
      radius: 2,
      f: (x) => {
        x = Math.abs(x);
        if (x < 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
        if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
        return 0;
      },
    };
  }
  const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  return { radius: 3, f: (x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0) };
}

/** Precomputed taps for one axis: for output i, `count` source indices and weights. */
function axisTaps(inSize: number, outSize: number, kind: ResampleKernel) {
  const { radius, f } = kernelFn(kind);
  const scale = inSize / outSize;
  // When shrinking, widen the kernel so it low-passes (no aliasing).
  const support = scale > 1 ? radius * scale : radius;
  const stretch = scale > 1 ? scale : 1;
  const count = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(outSize * count);
  const weight = new Float32Array(outSize * count);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale - 0.5;
    const start = Math.floor(center - support) + 1;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const j = start + k;
      const wgt = f((j - center) / stretch);
      index[i * count + k] = Math.min(inSize - 1, Math.max(0, j));
      weight[i * count + k] = wgt;
      sum += wgt;
    }
    for (let k = 0; k < count; k++) weight[i * count + k]! /= sum;
  }
  return { index, weight, count };
}

/** Resizes `src` (`[h*w*c]`) to `[H*W*c]`. Output is float; callers clamp/quantize. */
export function resample(
  src: Float32Array,
  w: number,
  h: number,
  c: number,
  W: number,
  H: number,
  kind: ResampleKernel = "lanczos3",
): Float32Array {
  if (src.length !== w * h * c) throw new Error(`resample: expected ${w * h * c} values, got ${src.length}`);
  const tx = axisTaps(w, W, kind);
  const ty = axisTaps(h, H, kind);
  // Horizontal pass first: h rows of W pixels (small when upscaling).
  const mid = new Float32Array(h * W * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * c;
      for (let k = 0; k < tx.count; k++) {
        const wgt = tx.weight[x * tx.count + k]!;
        if (wgt === 0) continue;
        const s = (y * w + tx.index[x * tx.count + k]!) * c;
        for (let ch = 0; ch < c; ch++) mid[o + ch]! += wgt * src[s + ch]!;
      }
    }
  }
  const out = new Float32Array(H * W * c);
  const row = W * c;
  for (let y = 0; y < H; y++) {
    const o = y * row;
    for (let k = 0; k < ty.count; k++) {
      const wgt = ty.weight[y * ty.count + k]!;
      if (wgt === 0) continue;
      const s = ty.index[y * ty.count + k]! * row;
      for (let i = 0; i < row; i++) out[o + i]! += wgt * mid[s + i]!;
    }
  }
  return out;
}
