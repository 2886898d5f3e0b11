/**
 * render(mesh, options) → RenderResult: one call composing rasterize → interpolate →
 * texture → normal map → shade → background (the per-pixel part fused in fused.ts), keeping
 * what renderBackward needs.
 *
 * mesh: `positions` Float32Array [V*3]; `triangles` Uint32Array [T*3] indexing render
 * vertices; optional `source` Uint32Array [S] (a seam split: render vertex s sits at model
 * vertex source[s], so positions stay per model vertex and normals are smooth across UV
 * seams); `uv` Float32Array [S*2] (needed for a texture or normal map); optional constant
 * `tangents` [S*4] (glTF, w = handedness) for normal mapping, computed with the face engine's
 * vertexTangents when absent.
 *
 * options: `camera`, `width`, `height` (1…4096); `texture` {data [h*w*C], width, height,
 * channels, wrap?} or a constant `albedo` (C values, default grey); `normalMap` {data
 * [h*w*3] tangent-space vectors in [−1, 1] (flat = 0,0,1), width, height}; `light`
 * (DirectionalLight; null/absent = unlit, the image is the sampled texture, as for SD
 * latents); `specular` {strength, shininess}; `background` C values or an image [H*W*C].
 *
 * result: `image` Float32Array [H*W*C] (row 0 = top), `channels`, `mask` Uint8Array [H*W]
 * (1 = covered), `raster`.
 *
 * renderBackward(result, dL/dimage [H*W*C]) → { texture?: [h*w*C], normalMap?: [h*w*3],
 * positions?: [V*3] }. Gradients to positions flow through the barycentrics (projection
 * of every covered pixel) and through the shading normals (vertex normals recomputed from
 * positions; the bitangent w·(n × t) follows the normals). NOT provided: silhouette /
 * visibility gradients (coverage is piecewise constant here; no antialias op), gradients
 * through the tangent vectors t (held constant: pass `mesh.tangents` to make that exact for
 * finite differences too) and through the specular view vector. The background gets no gradient.
 */
import type { Camera, DirectionalLight } from "./types.js";
import { rasterize, rasterizeBackward, type Raster } from "./rasterize.js";
import { interpolateBackward } from "./interpolate.js";
import { checkTexture, sampleTextureBackward, type Wrap } from "./texture.js";
import { tangentXyz, vertexBitangents, vertexBitangentsBackward } from "./normalmap.js";
import { composite, shade, shadeBackward, shadeBackwardAlbedo, type Specular } from "./shade.js";
import { shadePixels } from "./fused.js";
import { normalChainBackward } from "./normalChain.js";
import { vertexNormalsBackward } from "./normals.js";
import { vertexNormals, vertexTangents } from "../face/normals.js";
import { gatherSplit } from "../face/seam.js";

export interface RenderMesh {
  positions: Float32Array;
  triangles: Uint32Array;
  uv?: Float32Array;
  source?: Uint32Array;
  tangents?: Float32Array;
}

export interface Texture {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
  wrap?: Wrap;
}

export interface RenderOptions {
  camera: Camera;
  width: number;
  height: number;
  texture?: Texture | null;
  albedo?: readonly number[];
  normalMap?: Omit<Texture, "channels"> | null;
  light?: DirectionalLight | null;
  specular?: Specular | null;
  background?: readonly number[] | Float32Array;
}

export interface RenderResult {
  image: Float32Array;
  channels: number;
  mask: Uint8Array;
  raster: Raster;
  /** Saved forward state for renderBackward (treat as opaque). */
  saved: Saved;
}

interface Saved {
  mesh: RenderMesh;
  opts: RenderOptions;
  splitPos: Float32Array;
  modelTris: Uint32Array;
  uvImg: Float32Array | null;
  albedoImg: Float32Array;
  splitN: Float32Array | null;
  tangents: Float32Array | null;
  tanXyz: Float32Array | null;
  bit: Float32Array | null;
  normals: Float32Array | null;
  viewDirs: Float32Array | null;
}

const GREY = [0.7, 0.7, 0.7];

export function render(mesh: RenderMesh, opts: RenderOptions): RenderResult {
  const { camera, width: W, height: H, texture, normalMap, light, specular } = opts;
  const { positions, triangles, source, uv } = mesh;
  const S = source ? source.length : positions.length / 3;
  if (uv && uv.length !== S * 2) throw new Error(`render: uv has ${uv.length} values, expected ${S * 2} (2 per render vertex)`);
  if ((texture || normalMap) && !uv) throw new Error("render: a texture or normal map needs mesh.uv");
  if (normalMap && normalMap.data.length !== normalMap.width * normalMap.height * 3) throw new Error(`render: normalMap must be ${normalMap.height}×${normalMap.width}×3`);
  if (source) for (let s = 0; s < S; s++) if (source[s]! * 3 >= positions.length) throw new Error(`render: source[${s}] = ${source[s]} is outside the ${positions.length / 3} positions`);
  const splitPos = source ? gatherSplit(positions, source, 3) : positions;
  const rmesh = { positions: splitPos, triangles };
  const raster = rasterize(rmesh, camera, W, H);
  const ids = raster.triangleId;
  const N = W * H;
  const C = texture ? texture.channels : (opts.albedo ?? GREY).length;

  if (texture) checkTexture(texture.data, texture.width, texture.height, C);
  const albedo = opts.albedo ?? GREY;
  if (!texture && albedo.length !== C) throw new Error(`render: albedo must have ${C} values`);

  const modelTris = source ? mapTriangles(triangles, source) : triangles;
  let splitN: Float32Array | null = null;
  let tangents: Float32Array | null = null, tanXyz: Float32Array | null = null, bit: Float32Array | null = null;
  if (light) {
    const vn = vertexNormals(positions, modelTris);
    splitN = source ? gatherSplit(vn, source, 3) : vn;
    if (normalMap) {
      tangents = mesh.tangents ?? vertexTangents(splitPos, splitN, uv!, triangles);
      if (tangents.length !== S * 4) throw new Error(`render: tangents must be [${S}*4] (glTF xyzw per render vertex), got ${tangents.length}`);
      tanXyz = tangentXyz(tangents);
      bit = vertexBitangents(splitN, tangents);
    }
  }
  const f = shadePixels({
    raster, triangles, channels: C, uv: uv ?? null, texture: texture ?? null, albedo, light: light ?? null,
    vertexNormals: splitN, tangents: tanXyz, bitangents: bit, normalMap: light && normalMap ? normalMap : null,
    specular: specular ?? null, splitPositions: splitPos, eye: camera.eye, background: opts.background ?? new Array(C).fill(0),
  });
  const { image, mask, uvImg, albedoImg, normals, viewDirs } = f;
  return { image, channels: C, mask, raster, saved: { mesh, opts, splitPos, modelTris, uvImg, albedoImg, splitN, tangents, tanXyz, bit, normals, viewDirs } };
}

export interface RenderGrads {
  texture?: Float32Array;
  normalMap?: Float32Array;
  positions?: Float32Array;
}

export type GradTarget = "texture" | "normalMap" | "positions";

/** Adjoint of render: dL/dimage `[H*W*C]` → gradients for the inputs in `wrt` (default all). */
export function renderBackward(result: RenderResult, gradImage: Float32Array, wrt: readonly GradTarget[] = ["texture", "normalMap", "positions"]): RenderGrads {
  const { raster, channels: C, saved } = result;
  const { mesh, opts, splitPos, modelTris, uvImg, albedoImg } = saved;
  const { texture, normalMap, light, specular } = opts;
  const N = raster.width * raster.height;
  if (gradImage.length !== N * C) throw new Error(`renderBackward: gradient has ${gradImage.length} values, expected ${N * C}`);
  const ids = raster.triangleId;
  const rmesh = { positions: splitPos, triangles: mesh.triangles };
  const wantPos = wrt.includes("positions");
  const out: RenderGrads = {};
  const gBary = wantPos ? new Float32Array(N * 2) : null;
  const gUv = uvImg && wantPos ? new Float32Array(N * 2) : undefined;
  let gPosModel: Float32Array | null = wantPos ? new Float32Array(mesh.positions.length) : null;

  let gAlbedo: Float32Array;
  if (light) {
    // Texture-only adjoints (the texture stage) skip the normal chain entirely.
    const wantNormals = wantPos || (normalMap != null && wrt.includes("normalMap"));
    if (!wantNormals) gAlbedo = shadeBackwardAlbedo(C, saved.normals!, ids, light, gradImage);
    else {
      const gs = shadeBackward(albedoImg, C, saved.normals!, ids, light, specular, saved.viewDirs, gradImage);
      gAlbedo = gs.albedo;
      // One fused pass (normalChain.ts) instead of shadingNormalsBackward → the map's
      // sampleTextureBackward → three interpolateBackward calls; it rebuilds the normal
      // frame the forward pass did not keep.
      const wantMap = normalMap != null && wrt.includes("normalMap");
      const gc = normalChainBackward({
        raster, triangles: mesh.triangles, gradN: gs.normals, vertexNormals: saved.splitN!, tangents: saved.tanXyz, bitangents: saved.bit,
        uvImg, normalMap: normalMap ?? null, wantMap, wantPos, gBary, gUv: gUv ?? null,
      });
      if (wantMap) out.normalMap = gc.normalMap!;
      if (wantPos) {
        // The bitangents w·(n × t) follow the vertex normals.
        if (normalMap) vertexBitangentsBackward(saved.tangents!, gc.bitangents, gc.vertexNormals);
        const gModelN = mesh.source ? scatter(gc.vertexNormals, mesh.source, 3, mesh.positions.length) : gc.vertexNormals;
        vertexNormalsBackward(mesh.positions, modelTris, gModelN, gPosModel!);
      }
    }
  } else {
    gAlbedo = new Float32Array(N * C);
    for (let p = 0; p < N; p++) if (ids[p] !== 0) for (let c = 0; c < C; c++) gAlbedo[p * C + c] = gradImage[p * C + c]!;
  }
  if (texture && (wrt.includes("texture") || wantPos)) {
    const gt = sampleTextureBackward(uvImg!, ids, texture.data, texture.width, texture.height, C, gAlbedo, { wrap: texture.wrap }, { uv: gUv ?? null });
    if (wrt.includes("texture")) out.texture = gt.texture;
  }
  if (wantPos) {
    if (gUv) interpolateBackward(raster, rmesh, mesh.uv!, 2, gUv, { bary: gBary! });
    const gSplit = rasterizeBackward(raster, rmesh, gBary!);
    if (mesh.source) scatter(gSplit, mesh.source, 3, mesh.positions.length, gPosModel!);
    else for (let i = 0; i < gSplit.length; i++) gPosModel![i] += gSplit[i]!;
    out.positions = gPosModel!;
  }
  return out;
}

/** Adjoint of gatherSplit (face/seam.ts): sums split-vertex values back onto model vertices. */
export function scatter(values: Float32Array, source: Uint32Array, k: number, length: number, out: Float32Array = new Float32Array(length)): Float32Array {
  for (let s = 0; s < source.length; s++) for (let j = 0; j < k; j++) out[source[s]! * k + j] += values[s * k + j]!;
  return out;
}

const mapped = new WeakMap<Uint32Array, { source: Uint32Array; tris: Uint32Array }>();
function mapTriangles(triangles: Uint32Array, source: Uint32Array): Uint32Array {
  const hit = mapped.get(triangles);
  if (hit && hit.source === source) return hit.tris;
  const tris = new Uint32Array(triangles.length);
  for (let i = 0; i < triangles.length; i++) tris[i] = source[triangles[i]!]!;
  mapped.set(triangles, { source, tris });
  return tris;
}

export interface ViewsOptions extends Omit<RenderOptions, "camera" | "light"> {
  cameras: readonly Camera[];
  lights: readonly DirectionalLight[];
}

/**
 * Forward-only batch for CLIP ranking (3 views × 10 lights per candidate): rasterizes and
 * interpolates once per camera and re-shades per light. Images are camera-major:
 * `images[c * lights.length + l]`, each `[H*W*C]`.
 */
export function renderViews(mesh: RenderMesh, { cameras, lights, ...rest }: ViewsOptions): Float32Array[] {
  if (lights.length === 0) throw new Error("renderViews: give at least one light");
  const images: Float32Array[] = [];
  for (const camera of cameras) {
    const first = render(mesh, { ...rest, camera, light: lights[0] });
    images.push(first.image);
    const { albedoImg, normals, viewDirs } = first.saved;
    const ids = first.raster.triangleId;
    for (let l = 1; l < lights.length; l++) {
      const img = shade(albedoImg, first.channels, normals!, ids, lights[l]!, rest.specular, viewDirs);
      images.push(composite(img, first.channels, ids, rest.background ?? new Array(first.channels).fill(0)));
    }
  }
  return images;
}
