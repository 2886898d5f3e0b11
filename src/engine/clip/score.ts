/**
 * Embedding arithmetic for CLIP. CLIP ONNX exports with projection heads (Xenova's
 * text_model / vision_model) return unnormalised embeddings, so we always L2-normalise
 * before comparing.
 *
 * CLIP score as DreamFace reports it (paper Sec. 7.3.6): the cosine similarity of the image
 * and text features, in [−1, 1]. openai's README and CLIPModel logits multiply it by the
 * learned logit scale (100 for the released models); `scale: 100` gives that convention.
 * No clamp at 0 (that is the CLIPScore paper's 2.5·max(cos, 0), a different metric).
 */

/** v / ‖v‖₂ (zeros stay zeros). */
export function l2Normalize(v: Float32Array, out: Float32Array = new Float32Array(v.length)): Float32Array {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i]! * v[i]!;
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** Cosine similarity of two vectors of equal length (0 if either is zero). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cosine: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface ClipScoreOptions {
  /** 1 (default, the paper's cosine) or 100 (openai's logit convention). */
  scale?: number;
}

/**
 * CLIP score of image embeddings against one text embedding: the mean over images (views)
 * of scale·cos(image, text), with each image's value.
 */
export function clipScore(
  imageEmbeds: readonly Float32Array[],
  textEmbed: Float32Array,
  { scale = 1 }: ClipScoreOptions = {},
): { mean: number; values: number[] } {
  if (imageEmbeds.length === 0) throw new Error("clipScore: no image embeddings");
  const values = imageEmbeds.map((e) => scale * cosine(e, textEmbed));
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, values };
}

/** Rows of a flat [B, D] embedding output as separate vectors. */
export function splitRows(data: Float32Array, rows: number): Float32Array[] {
  if (rows < 1 || data.length % rows !== 0) throw new Error(`splitRows: ${data.length} values do not split into ${rows} rows`);
  const d = data.length / rows;
  return Array.from({ length: rows }, (_, r) => data.subarray(r * d, (r + 1) * d));
}
