/** Channel layout and value-range conversions between the renderer (HWC, [0,1]) and networks (CHW, [−1,1]). */
import { checkImage, type ImageF32 } from "./types.js";

/** Interleaved `[P*C]` (pixel-major) → planar `[C*P]`: the one channel permutation every stage uses. */
export function interleavedToPlanar(src: Float32Array, pixels: number, C: number, out: Float32Array = new Float32Array(pixels * C)): Float32Array {
  for (let p = 0; p < pixels; p++) for (let c = 0; c < C; c++) out[c * pixels + p] = src[p * C + c]!;
  return out;
}

/** Planar `[C*P]` → interleaved `[P*C]`. */
export function planarToInterleaved(src: Float32Array, pixels: number, C: number, out: Float32Array = new Float32Array(pixels * C)): Float32Array {
  for (let p = 0; p < pixels; p++) for (let c = 0; c < C; c++) out[p * C + c] = src[c * pixels + p]!;
  return out;
}

/** HWC → CHW (planar), as ONNX image inputs expect. */
export function hwcToChw(image: ImageF32, out: Float32Array = new Float32Array(image.data.length)): Float32Array {
  checkImage(image);
  return interleavedToPlanar(image.data, image.width * image.height, image.channels, out);
}

/** CHW (planar) → HWC image. */
export function chwToHwc(data: Float32Array, channels: number, height: number, width: number): ImageF32 {
  const plane = width * height;
  if (data.length !== plane * channels) throw new Error(`chwToHwc: expected ${channels}×${height}×${width} values, got ${data.length}`);
  return { data: planarToInterleaved(data, plane, channels), width, height, channels };
}

/** [0, 1] → [−1, 1] (x·2 − 1), the VAE's input range. */
export function toSigned(data: Float32Array, out: Float32Array = new Float32Array(data.length)): Float32Array {
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * 2 - 1;
  return out;
}

/** [−1, 1] → [0, 1] ((x + 1)/2), clamped unless `clamp` is false (decoders overshoot). */
export function fromSigned(data: Float32Array, { clamp = true, out = new Float32Array(data.length) }: { clamp?: boolean; out?: Float32Array } = {}): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const v = (data[i]! + 1) / 2;
    out[i] = clamp ? Math.min(1, Math.max(0, v)) : v;
  }
  return out;
}
