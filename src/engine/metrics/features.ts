/**
 * KID on images through a Backend's kid_features role (Inception-v3 pool3 for real runs; a
 * 64-d seeded random net in the tiny profile, whose KID is a test signal only). Images are
 * resized to 299² with PIL-style bicubic (as clean-fid's "clean" mode), kept in [0, 1], CHW.
 */
import type { Backend } from "../models/backend.js";
import { kidFeatures } from "../models/decoders.js";
import { asFloat32, tensor } from "../models/tensor.js";
import { hwcToChw } from "../image/layout.js";
import { resize } from "../image/resize.js";
import type { ImageF32 } from "../image/types.js";
import { kid, type KidOptions, type KidResult } from "./kid.js";

export const KID_IMAGE_SIZE = 299;

/** Features of each image, stacked [count·dim]. */
export async function imageFeatures(backend: Backend, images: readonly ImageF32[]): Promise<{ data: Float32Array; dim: number }> {
  if (images.length === 0) throw new Error("KID: no images");
  const rows: Float32Array[] = [];
  for (const image of images) {
    if (image.channels < 3) throw new Error(`KID: images need 3 colour channels, got ${image.channels}`);
    const sized = image.width === KID_IMAGE_SIZE && image.height === KID_IMAGE_SIZE ? image : resize(image, KID_IMAGE_SIZE, KID_IMAGE_SIZE);
    const chw = hwcToChw(sized).subarray(0, 3 * KID_IMAGE_SIZE * KID_IMAGE_SIZE); // planes 0..2: drops alpha
    rows.push(asFloat32(await kidFeatures(backend, tensor("float32", chw.slice(), [1, 3, KID_IMAGE_SIZE, KID_IMAGE_SIZE]))));
  }
  const dim = rows[0]!.length;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, dim };
}

/** KID between two image sets (features from the backend, then kid()). */
export async function kidOfImages(backend: Backend, a: readonly ImageF32[], b: readonly ImageF32[], options: KidOptions): Promise<KidResult> {
  const fa = await imageFeatures(backend, a);
  const fb = await imageFeatures(backend, b);
  return kid(fa.data, fb.data, fa.dim, options);
}
