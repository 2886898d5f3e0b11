/**
 * Physically-based maps from the final texture latent z^H (paper Sec. 5.3): the diffuse map
 * from the VAE decoder, specular and normal maps from their fine-tuned decoders, face
 * restoration of the diffuse map, then super-resolution to the output size — the `upscale`
 * role (4×) when installed, after a classical resize to size/4; otherwise a classical
 * resampler, labelled as such. The final normal map combines the decoded normal with the
 * carved detail map N_d (RNM by default, see normal-blend.ts).
 *
 * Which networks run is the caller's `plan`, read from the run's capability table
 * (src/engine/models/capabilities.ts) rather than probed here, so the report and the manifest
 * say exactly what was substituted: the skin specular prior for `specular_decoder`, N_d alone
 * for `normal_decoder`, no restoration, and the resampler instead of `upscale`.
 * Maps are produced one at a time (4096² × 3 floats is 200 MB) through `onMap`.
 *
 * z is a stack of tile latents (seams.ts): every map is made per UV tile at size² and the
 * tiles are joined side by side into one atlas (`[size × tiles·size × 3]`), the layout the
 * exported UVs address (face/atlas.ts); N_d arrives in that layout already.
 */
import type { Backend, Tensor } from "../../models/backend.js";
import { decodeNormal, decodeSpecular, restore, upscale, vaeDecode } from "../../models/index.js";
import { tensor } from "../../models/tensor.js";
import { hwcToNchw, nchwToHwc } from "./layout.js";
import { blendNormals, renormalizeNormals, type NormalBlend } from "./normal-blend.js";
import { resample, type ResampleKernel } from "./resample.js";
import { placeTile, splitTiles } from "../../face/atlas.js";
import type { DetailNormalMap } from "./scene.js";
import { SPECULAR_LEVELS } from "./specular-prior.js";
import { capability, runsExactly, type CapabilityTable } from "../../models/capabilities.js";

export type MapKind = "diffuse" | "specular" | "normal";

/** Which network (or substitute) makes each map; from the capability table via `pbrPlan`. */
export interface PbrPlan {
  /** `specular_decoder`, or a substitute map `[s*s*3]` in [0, 1] with its one-line description. */
  specular: { source: "decoder" } | { source: "prior"; map: { data: Float32Array; size: number }; description: string };
  /** "decoder": decoded normal ⊕ N_d; "detail-only": N_d alone (no `normal_decoder`). */
  normal: "decoder" | "detail-only";
  restore: boolean;
  upscale: boolean;
}

/**
 * The plan the table allows. `specularPrior` is called only when `specular_decoder` is
 * substituted (building the prior rasterizes the face's UVs: no need when the decoder runs).
 */
export function pbrPlan(table: CapabilityTable, specularPrior: () => { data: Float32Array; size: number }): PbrPlan {
  return {
    specular: runsExactly(table, "texture.specular") ? { source: "decoder" } : { source: "prior", map: specularPrior(), description: capability(table, "texture.specular").substitute! },
    normal: runsExactly(table, "texture.normal") ? "decoder" : "detail-only",
    restore: runsExactly(table, "texture.restore"),
    upscale: runsExactly(table, "texture.upscale"),
  };
}

export interface PbrOptions {
  /** Output side (paper: 4096). */
  size: number;
  resampler: ResampleKernel;
  normalBlend: NormalBlend;
  /** N_d as vectors in [−1, 1], an atlas of s² tiles `[s*(tiles·s)*3]` (the renderer's convention); absent = flat. */
  detailNormalMap?: DetailNormalMap | null;
  /** UV tiles in z's stack and in the atlas (default 1). */
  tiles?: number;
  plan: PbrPlan;
}

export interface PbrReport {
  /** How each map reached the output size, e.g. "upscale model ×4" or "classical resampler (lanczos3), no SR model". */
  upscaling: string;
  restoration: string;
  /** Where the specular map came from: "specular_decoder" or the prior's description. */
  specular: string;
  normalBlend: string;
  decodedSize: number;
  /** One line per map made by a substitute instead of the paper's network (empty when none). */
  substitutes: string[];
}

function toHwc01(t: Tensor, fromSigned: boolean): { data: Float32Array; size: number } {
  const [, c, h, w] = t.dims as [number, number, number, number];
  const out = nchwToHwc(t.data as Float32Array, h, w, c);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, fromSigned ? (out[i]! + 1) / 2 : out[i]!));
  return { data: out, size: h };
}


const nchw01 = (x: Float32Array, s: number) => tensor("float32", hwcToNchw(x, s, s, 3), [1, 3, s, s]);

/** Produces the three maps at `opts.size` (each [size*size*3] in [0, 1]) and says how. */
export async function pbrMaps(
  backend: Backend,
  z: Float32Array,
  opts: PbrOptions,
  onMap: (kind: MapKind, data: Float32Array, width: number, height: number) => Promise<void> | void,
): Promise<PbrReport> {
  const tiles = opts.tiles ?? 1;
  const side = Math.round(Math.sqrt(z.length / 4 / tiles));
  const per = side * side * 4;
  const latents = Array.from({ length: tiles }, (_, i) => tensor("float32", hwcToNchw(z.subarray(i * per, (i + 1) * per), side, side, 4), [1, 4, side, side]));
  // SR only when the maps must grow beyond the decoded size; shrinking is a resampler's job.
  const { plan } = opts;
  const sr = opts.size > side * 8 && plan.upscale;
  const canRestore = plan.restore;
  const target = opts.size;
  const srInput = Math.max(1, Math.round(target / 4));

  async function toSize(map: { data: Float32Array; size: number }): Promise<Float32Array> {
    let m = map;
    if (sr) {
      const pre = m.size === srInput ? m.data : resample(m.data, m.size, m.size, 3, srInput, srInput, opts.resampler);
      m = toHwc01(await upscale(backend, nchw01(pre, srInput)), false);
    }
    return resized(m);
  }

  function resized(map: { data: Float32Array; size: number }): Float32Array {
    if (map.size === target) return map.data;
    const out = resample(map.data, map.size, map.size, 3, target, target, opts.resampler);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]!));
    return out;
  }

  // Each map: one tile at a time at target², placed into the atlas (at 4096² a tile is 200 MB).
  const atlas = async (tile: (i: number) => Promise<Float32Array> | Float32Array) => {
    if (tiles === 1) return tile(0);
    const out = new Float32Array(target * target * tiles * 3);
    for (let i = 0; i < tiles; i++) placeTile(out, await tile(i), i, tiles, target, target, 3);
    return out;
  };
  const W = target * tiles;
  let decodedSize = side * 8;
  await onMap("diffuse", await atlas(async (i) => {
    let diffuse = toHwc01(await vaeDecode(backend, latents[i]!), true);
    decodedSize = diffuse.size;
    if (canRestore) diffuse = toHwc01(await restore(backend, nchw01(diffuse.data, diffuse.size)), false);
    return toSize(diffuse);
  }), W, target);

  // The prior is a smooth region map over the face tile: a resampler, not SR, brings it to size; other tiles get its skin level.
  await onMap("specular", await atlas(async (i) => {
    if (plan.specular.source === "decoder") return toSize(toHwc01(await decodeSpecular(backend, latents[i]!), true));
    if (i === 0) return resized(plan.specular.map);
    return new Float32Array(target * target * 3).fill(SPECULAR_LEVELS.skin);
  }), W, target);

  if (opts.detailNormalMap && opts.detailNormalMap.width !== opts.detailNormalMap.height * tiles)
    throw new Error(`N_d is ${opts.detailNormalMap.width}×${opts.detailNormalMap.height}, expected ${tiles} square tiles side by side`);
  const detailTiles = opts.detailNormalMap ? splitTiles(opts.detailNormalMap.data, tiles, opts.detailNormalMap.height, opts.detailNormalMap.height, 3) : undefined;
  await onMap("normal", await atlas(async (i) => {
    let detail: Float32Array<ArrayBufferLike>;
    if (detailTiles) {
      const d = opts.detailNormalMap!.height;
      const enc = Float32Array.from(detailTiles[i]!, (v) => v * 0.5 + 0.5);
      detail = d === target ? enc : resample(enc, d, d, 3, target, target, "bicubic");
    } else {
      detail = new Float32Array(target * target * 3);
      for (let j = 0; j < detail.length; j += 3) (detail[j] = 0.5), (detail[j + 1] = 0.5), (detail[j + 2] = 1);
    }
    if (plan.normal === "decoder") {
      const decodedNormal = await toSize(toHwc01(await decodeNormal(backend, latents[i]!), true));
      return blendNormals(decodedNormal, detail, opts.normalBlend, decodedNormal);
    }
    return renormalizeNormals(detail);
  }), W, target);

  const substitutes: string[] = [];
  if (plan.specular.source === "prior") substitutes.push(`specular: ${plan.specular.description}`);
  if (plan.normal === "detail-only") substitutes.push(`normal: N_d alone${opts.detailNormalMap ? "" : " (flat: no N_d given)"}, no normal_decoder`);
  if (!plan.restore) substitutes.push("restoration: skipped (no restore model)");
  if (!plan.upscale && target > decodedSize) substitutes.push(`upscaling: classical resampler (${opts.resampler}), no SR model`);

  return {
    upscaling: sr
      ? `upscale model ×4 from ${srInput}²${srInput * 4 === target ? "" : ` + classical resampler (${opts.resampler}) to ${target}²`}`
      : target > decodedSize
        ? `classical resampler (${opts.resampler}), no SR model`
        : `classical resampler (${opts.resampler}) from ${decodedSize}² (no upscaling needed)`,
    restoration: canRestore ? "restore model on the diffuse map" : "none (no restore model)",
    specular: plan.specular.source === "decoder" ? "specular_decoder" : plan.specular.description,
    normalBlend:
      plan.normal === "decoder"
        ? `${opts.normalBlend === "rnm" ? "reoriented normal mapping (RNM)" : "UDN"} of the decoded normal map with N_d${opts.detailNormalMap ? "" : " (flat: no N_d given)"}`
        : `N_d alone (no normal_decoder)${opts.detailNormalMap ? "" : ": flat, no N_d given"}`,
    decodedSize,
    substitutes,
  };
}
