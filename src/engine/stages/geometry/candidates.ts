/**
 * Candidate pool entries (paper Sec. 4.1, Eq. 1–2): β ~ N(0, I) per candidate, T(β) rendered
 * from the 3 ranking views under the 10 ranking lights, each image CLIP-embedded, and the
 * 30 embeddings averaged. Each view is rasterized once and shaded per light (visibility does
 * not depend on the light), which makes the 30 renders cost about 3.
 */
import type { FaceModel, SeamSplitMesh } from "../../face/types.js";
import { synthesize } from "../../face/synthesize.js";
import { splitFrame } from "../../face/seam.js";
import type { Camera, DirectionalLight } from "../../raster/types.js";
import { rasterize } from "../../raster/rasterize.js";
import { interpolate } from "../../raster/interpolate.js";
import { shadingNormals } from "../../raster/normalmap.js";
import { composite, shade } from "../../raster/shade.js";
import { orbitCamera, rankingLights, rankingViews, directionalLight } from "../../raster/camera.js";
import { Rng } from "../../util/rng.js";
import type { Backend } from "../../models/backend.js";
import { clipImageEmbed } from "../../models/decoders.js";
import { asFloat32, f32 } from "../../models/tensor.js";
import { clipPreprocess, CLIP_IMAGE_SIZE } from "../../clip/preprocess.js";

export const IDENTITY_COUNT = 100;
const ALBEDO = [0.75, 0.75, 0.75];
const BACKGROUND = [0, 0, 0];

/** β of candidate `index` in a pool seeded `seed`: independent of any other index, so shards need no coordination. */
export function candidateBeta(seed: number, index: number, count = IDENTITY_COUNT): Float32Array {
  return Rng.derive(seed, "pool-candidate", index).normals(count);
}

export interface RankingRig {
  readonly views: readonly Camera[];
  readonly lights: readonly DirectionalLight[];
  /** Render side in pixels (224 = CLIP's input, so no resampling). */
  readonly size: number;
}

export function defaultRig(size = CLIP_IMAGE_SIZE): RankingRig {
  return { views: rankingViews(), lights: rankingLights(), size };
}

/** The views × lights renders of one mesh, HWC RGB in [0, 1], view-major. */
export function renderCandidate(positions: Float32Array, triangles: Uint32Array, split: SeamSplitMesh, rig: RankingRig): Float32Array[] {
  const { positions: splitPos, normals: splitN } = splitFrame(split, positions, { modelTriangles: triangles });
  const mesh = { positions: splitPos, triangles: split.triangles };
  const S = rig.size, P = S * S;
  const images: Float32Array[] = [];
  for (const camera of rig.views) {
    const raster = rasterize(mesh, camera, S, S);
    const ids = raster.triangleId;
    const normals = shadingNormals(interpolate(raster, mesh, splitN, 3), null, null, null, ids);
    const albedo = new Float32Array(P * 3);
    for (let p = 0; p < P; p++) if (ids[p] !== 0) albedo.set(ALBEDO, 3 * p);
    for (const light of rig.lights) images.push(composite(shade(albedo, 3, normals, ids, light), 3, ids, BACKGROUND));
  }
  return images;
}

/** Eq. 2: the mean of the CLIP image embeddings of `images` (S×S RGB), batched `batch` at a time. */
export async function meanClipEmbedding(backend: Backend, images: readonly Float32Array[], size: number, batch = 30): Promise<Float32Array> {
  let mean: Float32Array | undefined;
  const plane = 3 * CLIP_IMAGE_SIZE * CLIP_IMAGE_SIZE;
  for (let start = 0; start < images.length; start += batch) {
    const group = images.slice(start, start + batch);
    const pixels = new Float32Array(group.length * plane);
    group.forEach((data, i) => clipPreprocess({ data, width: size, height: size, channels: 3 }, { out: pixels.subarray(i * plane, (i + 1) * plane) }));
    const emb = asFloat32(await clipImageEmbed(backend, f32(pixels, [group.length, 3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE])));
    const dim = emb.length / group.length;
    mean ??= new Float32Array(dim);
    for (let i = 0; i < emb.length; i++) mean[i % dim]! += emb[i]!;
  }
  if (!mean) throw new Error("meanClipEmbedding: no images");
  for (let j = 0; j < mean.length; j++) mean[j]! /= images.length;
  return mean;
}

export interface CandidateEntry {
  index: number;
  beta: Float32Array;
  embedding: Float32Array;
  /** Front view under a frontal light, `thumbSize²` RGB in [0, 1]. */
  thumbnail: Float32Array;
}

export interface PoolContext {
  model: FaceModel;
  split: SeamSplitMesh;
  rig: RankingRig;
  thumbSize: number;
  backend: Backend;
}

/** Renders a small front view for thumbnails and pages. */
export function frontThumbnail(positions: Float32Array, ctx: Pick<PoolContext, "model" | "split" | "thumbSize">): Float32Array {
  const rig = { views: [orbitCamera({ azimuth: 0 })], lights: [directionalLight(20, 20)], size: ctx.thumbSize };
  return renderCandidate(positions, ctx.model.regions.dreamface.triangles, ctx.split, rig)[0]!;
}

/** One pool entry: β from (seed, index), or the given β (the anchor uses β = 0). */
export async function embedCandidate(ctx: PoolContext, index: number, beta: Float32Array): Promise<CandidateEntry> {
  const positions = synthesize(ctx.model, { identity: beta, region: "dreamface" });
  const images = renderCandidate(positions, ctx.model.regions.dreamface.triangles, ctx.split, ctx.rig);
  const embedding = await meanClipEmbedding(ctx.backend, images, ctx.rig.size);
  return { index, beta, embedding, thumbnail: frontThumbnail(positions, ctx) };
}
