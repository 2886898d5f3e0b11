/**
 * CLIP image preprocessing as openai/CLIP's `_transform(224)`: resize the shorter side to 224
 * (bicubic, antialiased like PIL), centre-crop 224², normalise with CLIP's mean/std, and lay
 * out as CHW float32 — the `pixel_values` of a CLIP vision ONNX export.
 *
 * Hugging Face's CLIPImageProcessor crops at ⌊(H − 224)/2⌋ where openai rounds half to even;
 * the two differ by at most one pixel row/column for odd margins.
 */
import { centerCrop } from "../image/crop.js";
import { hwcToChw } from "../image/layout.js";
import { resize } from "../image/resize.js";
import { checkImage, type ImageF32 } from "../image/types.js";

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
export const CLIP_IMAGE_SIZE = 224;

/**
 * An RGB (or RGBA: alpha ignored) image with values in [0, 1] → Float32Array [3·size·size], CHW.
 * Pass `out` to fill one slot of a batch.
 */
export function clipPreprocess(image: ImageF32, { size = CLIP_IMAGE_SIZE, out }: { size?: number; out?: Float32Array } = {}): Float32Array {
  checkImage(image, "CLIP input");
  if (image.channels < 3) throw new Error(`CLIP input needs 3 colour channels, got ${image.channels}`);
  let rgb = image;
  if (image.channels > 3) {
    const data = new Float32Array(image.width * image.height * 3);
    for (let p = 0; p < image.width * image.height; p++)
      for (let c = 0; c < 3; c++) data[p * 3 + c] = image.data[p * image.channels + c]!;
    rgb = { data, width: image.width, height: image.height, channels: 3 };
  }
  // torchvision Resize(int): the shorter side becomes `size`, the longer int(size·long/short).
  const { width: w, height: h } = rgb;
  const [rw, rh] = w <= h ? [size, Math.trunc((size * h) / w)] : [Math.trunc((size * w) / h), size];
  const resized = rw === w && rh === h ? rgb : resize(rgb, rw, rh, { filter: "bicubic", antialias: true });
  const chw = hwcToChw(centerCrop(resized, size, size), out);
  const plane = size * size;
  for (let c = 0; c < 3; c++) {
    const m = CLIP_MEAN[c], s = CLIP_STD[c];
    for (let p = c * plane; p < (c + 1) * plane; p++) chw[p] = (chw[p]! - m) / s;
  }
  return chw;
}
