/**
 * CLIP score of rendered images against a prompt through a Backend's clip_image and
 * clip_text roles: preprocess each image, embed, L2-normalise, cosine (score.ts).
 * Images go one per call so exports with a fixed batch of 1 work too.
 * With the tiny profile the networks are seeded random graphs: the numbers are test
 * signals, never a quality measure.
 */
import type { Backend } from "../models/backend.js";
import { clipImageEmbed } from "../models/decoders.js";
import { clipTextEmbed } from "../models/text.js";
import { asFloat32, tensor } from "../models/tensor.js";
import type { ImageF32 } from "../image/types.js";
import { CLIP_IMAGE_SIZE, clipPreprocess } from "./preprocess.js";
import { clipScore, l2Normalize, type ClipScoreOptions } from "./score.js";

/** Normalised CLIP image embeddings, one per image. */
export async function clipImageEmbeddings(backend: Backend, images: readonly ImageF32[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const image of images) {
    const pixels = clipPreprocess(image);
    const e = await clipImageEmbed(backend, tensor("float32", pixels, [1, 3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE]));
    out.push(l2Normalize(asFloat32(e)));
  }
  return out;
}

/** Normalised CLIP text embedding of one tokenized prompt (Int32Array(77)). */
export async function clipTextEmbedding(backend: Backend, ids: Int32Array): Promise<Float32Array> {
  return l2Normalize(asFloat32(await clipTextEmbed(backend, ids)));
}

/** The paper's CLIP score: mean cosine of the images' and the prompt's CLIP features. */
export async function clipScoreOfImages(
  backend: Backend,
  images: readonly ImageF32[],
  ids: Int32Array,
  options?: ClipScoreOptions,
): Promise<{ mean: number; values: number[] }> {
  const text = await clipTextEmbedding(backend, ids);
  return clipScore(await clipImageEmbeddings(backend, images), text, options);
}
