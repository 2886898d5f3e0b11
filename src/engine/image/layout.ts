/** Channel layout and value-range conversions between the renderer (HWC, [0,1]) and networks (CHW, [−1,1]). */
import { checkImage, type ImageF32 } from "./types.js";

/** HWC → CHW (planar), as ONNX image inputs expect. */
export function hwcToChw(image: ImageF32, out: Float32Array = new Float32Array(image.data.length)): Float32Array {
  checkImage(image);
  const { data, width, height, channels: C } = image;
  const plane = width * height;
  for (let p = 0; p < plane; p++) for (let c = 0; c < C; c++) out[c * plane + p] = data[p * C + c]!;
  return out;
}

/** CHW (planar) → HWC image. */
export function chwToHwc(data: Float32Array, channels: number, height: number, width: number): ImageF32 {
  const plane = width * height;
  if (data.length !== plane * channels) throw new Error(`chwToHwc: expected ${channels}×${height}×${width} values, got ${data.length}`);
  const out = new Float32Array(data.length);
  for (let p = 0; p < plane; p++) for (let c = 0; c < channels; c++) out[p * channels + c] = data[c * plane + p]!;
  return { data: out, width, height, channels };
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
