/**
 * Separable image resampling with Pillow's algorithm (ImagingResample): each output pixel
 * averages the inputs under a filter centred at (x + 0.5)·scale, stretched by the scale when
 * shrinking (antialias) and renormalised where the window meets the border.
 *
 * On float data this equals PIL's "F"-mode resize and torchvision's antialiased tensor
 * resize; PIL on uint8 images additionally rounds to 8 bits between the two passes (±1/255).
 * With `antialias: false` the "bilinear" filter equals torch's
 * `F.interpolate(mode="bilinear", align_corners=False)` (what SDS uses to reach 512²).
 */
import { checkImage, type ImageF32 } from "./types.js";

export type ResizeFilter = "bilinear" | "bicubic";

export interface ResizeOptions {
  /** Default "bicubic". */
  filter?: ResizeFilter;
  /** Widen the filter by the scale when downsampling (PIL always does). Default true. */
  antialias?: boolean;
  /** Cubic kernel parameter; PIL and torchvision-antialias use −0.5. */
  cubicA?: number;
}

function kernel(filter: ResizeFilter, a: number): { support: number; f: (x: number) => number } {
  if (filter === "bilinear") return { support: 1, f: (x) => Math.max(0, 1 - Math.abs(x)) };
  return {
    support: 2,
    f: (x) => {
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  };
}

interface Coefficients {
  start: Int32Array;
  count: Int32Array;
  /** ksize weights per output pixel. */
  weights: Float64Array;
  ksize: number;
}

// Pillow's precompute_coeffs.
function coefficients(inSize: number, outSize: number, filter: ResizeFilter, antialias: boolean, a: number): Coefficients {
  const { support: base, f } = kernel(filter, a);
  const scale = inSize / outSize;
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = base * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const w = f((x + xmin - center + 0.5) / filterScale);
      weights[xx * ksize + x] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x]! /= sum;
    start[xx] = xmin;
    count[xx] = Math.max(0, xmax);
  }
  return { start, count, weights, ksize };
}

/** Resamples an image to outWidth × outHeight (each channel independently). */
export function resize(image: ImageF32, outWidth: number, outHeight: number, options: ResizeOptions = {}): ImageF32 {
  checkImage(image);
  if (!(Number.isInteger(outWidth) && Number.isInteger(outHeight) && outWidth > 0 && outHeight > 0))
    throw new Error(`resize: output size must be positive integers, got ${outWidth}×${outHeight}`);
  const { filter = "bicubic", antialias = true, cubicA = -0.5 } = options;
  const { width, height, channels: C } = image;
  let data = image.data;
  let w = width;
  if (outWidth !== width) {
    const k = coefficients(width, outWidth, filter, antialias, cubicA);
    const out = new Float32Array(outWidth * height * C);
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < outWidth; xx++)
        for (let c = 0; c < C; c++) {
          let acc = 0;
          const s = k.start[xx]!, n = k.count[xx]!, base = xx * k.ksize;
          for (let i = 0; i < n; i++) acc += k.weights[base + i]! * data[(y * width + s + i) * C + c]!;
          out[(y * outWidth + xx) * C + c] = acc;
        }
    data = out;
    w = outWidth;
  }
  if (outHeight !== height) {
    const k = coefficients(height, outHeight, filter, antialias, cubicA);
    const out = new Float32Array(w * outHeight * C);
    const row = w * C;
    for (let yy = 0; yy < outHeight; yy++) {
      const s = k.start[yy]!, n = k.count[yy]!, base = yy * k.ksize;
      for (let i = 0; i < n; i++) {
        const wgt = k.weights[base + i]!;
        const src = (s + i) * row;
        for (let j = 0; j < row; j++) out[yy * row + j]! += wgt * data[src + j]!;
      }
    }
    data = out;
  }
  return { data: data === image.data ? data.slice() : data, width: outWidth, height: outHeight, channels: C };
}
