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
import type { Camera, DirectionalLight, Texture } from "./types.js";
import { checkMesh, checkSize, clipToPositionsBackward, screenCoords, toClip, type Raster } from "./rasterize.js";
import { checkTexture } from "./texture.js";
import { tangentXyz, vertexBitangents, vertexBitangentsBackward } from "./normalmap.js";
import { composite, shade, type Specular } from "./shade.js";
import { fusedOutputs, type FusedInputs } from "./fused.js";
import { accShape, backwardBand, bandScratch, forwardBand, newAcc, type BackwardJob, type BandAcc, type BandScratch, type Frame, type GradTarget } from "./bands.js";
import { vertexNormals, vertexNormalsBackward, vertexTangents } from "../face/normals.js";
import { gatherSplit } from "../face/seam.js";

export interface RenderMesh {
  positions: Float32Array;
  triangles: Uint32Array;
  uv?: Float32Array;
  source?: Uint32Array;
  tangents?: Float32Array;
}

export type { Texture };

export interface RenderOptions {
  camera: Camera;
  width: number;
  height: number;
  texture?: Texture | null;
  albedo?: readonly number[];
  normalMap?: Texture | null;
  light?: DirectionalLight | null;
  specular?: Specular | null;
  background?: readonly number[] | Float32Array;
  /**
   * Keep the per-pixel normal frame (geometric normal, tangent, bitangent, sampled map; 13
   * floats per pixel) for renderBackward, which then reads it instead of interpolating and
   * sampling again. For callers that differentiate through normals (positions or the normal
   * map); the gradients agree with the default path up to float32 rounding.
   */
  keepNormalFrame?: boolean;
}

export interface RenderResult {
  image: Float32Array;
  channels: number;
  mask: Uint8Array;
  raster: Raster;
  /** Saved forward state for renderBackward (treat as opaque). */
  saved: Saved;
}

export interface Saved {
  mesh: RenderMesh;
  opts: RenderOptions;
  frame: Frame;
  /** What the per-vertex tail of the adjoint reads (in the frame's memory, so a worker can run its normals part). */
  tail: TailInputs;
}

/** The per-vertex inputs of the adjoint's tail (normalsTail, addClipTail). */
export interface TailInputs {
  /** Model positions `[V*3]`. */
  positions: Float32Array;
  /** The triangles on model vertices. */
  modelTris: Uint32Array;
  /** The seam split's source (render vertex → model vertex), or null. */
  source: Uint32Array | null;
  /** glTF tangents `[S*4]` when the bitangents follow the normals (a lit normal map), else null. */
  tangents: Float32Array | null;
}

const GREY = [0.7, 0.7, 0.7];

/**
 * Where a frame's arrays live: fresh arrays (render()) or named, reused shared slots
 * (parallel.ts), into which the inputs are then copied.
 */
export interface FrameMemory {
  f32(name: string, n: number): Float32Array;
  f64(name: string, n: number): Float64Array;
  i32(name: string, n: number): Int32Array;
  u32(name: string, n: number): Uint32Array;
  u8(name: string, n: number): Uint8Array;
}

/**
 * The per-vertex shading frame of a lit render (vertex normals; with a normal map the tangents'
 * xyz and the bitangents), as typed arrays in the frame's memory: prepareFrame computes it in
 * place (frameNormals), or a ParallelRenderer hands it to a worker while this thread prepares
 * the rest of the frame.
 */
export interface NormalsJob {
  positions: Float32Array;
  modelTris: Uint32Array;
  source: Uint32Array | null;
  splitPositions: Float32Array;
  triangles: Uint32Array;
  /** With a normal map: the uv, and the glTF tangents given (else null: computed). */
  uv: Float32Array | null;
  tangentsIn: Float32Array | null;
  /** Outputs: normals `[S*3]`; with a normal map, tangents `[S*4]` (= tangentsIn when given), their xyz `[S*3]`, bitangents `[S*3]`. */
  vn: Float32Array;
  tangents: Float32Array | null;
  vt: Float32Array | null;
  vb: Float32Array | null;
}

/** Fills a NormalsJob's outputs (the same arithmetic wherever it runs: the bytes do not depend on the thread). */
export function frameNormals(j: NormalsJob): void {
  const vn = vertexNormals(j.positions, j.modelTris);
  if (j.source) gatherSplit(vn, j.source, 3, j.vn);
  else j.vn.set(vn);
  if (!j.tangents) return;
  if (!j.tangentsIn) j.tangents.set(vertexTangents(j.splitPositions, j.vn, j.uv!, j.triangles));
  j.vt!.set(tangentXyz(j.tangents));
  j.vb!.set(vertexBitangents(j.vn, j.tangents));
}

/**
 * Checks the inputs and computes the per-vertex part of a frame (normals, tangents, clip and
 * screen coordinates); no pixels yet. With `startNormals`, the shading frame's NormalsJob is
 * handed to it (to run elsewhere; the caller waits for it before the pixels) instead of run
 * here, as soon as its inputs are in `mem`.
 */
export function prepareFrame(mesh: RenderMesh, opts: RenderOptions, mem?: FrameMemory, startNormals?: (job: NormalsJob) => void): { frame: Frame; saved: Saved } {
  const { camera, width: W, height: H, texture, normalMap, light, specular } = opts;
  const { positions, triangles, source, uv } = mesh;
  const S = source ? source.length : positions.length / 3;
  checkSize(W, H);
  if (uv && uv.length !== S * 2) throw new Error(`render: uv has ${uv.length} values, expected ${S * 2} (2 per render vertex)`);
  if ((texture || normalMap) && !uv) throw new Error("render: a texture or normal map needs mesh.uv");
  if (normalMap && (normalMap.data.length !== normalMap.width * normalMap.height * 3 || (normalMap.channels ?? 3) !== 3)) throw new Error(`render: normalMap must be ${normalMap.height}×${normalMap.width}×3`);
  if (source) for (let s = 0; s < S; s++) if (source[s]! * 3 >= positions.length) throw new Error(`render: source[${s}] = ${source[s]} is outside the ${positions.length / 3} positions`);
  const mapped = !!light && !!normalMap;
  if (mapped && mesh.tangents && mesh.tangents.length !== S * 4) throw new Error(`render: tangents must be [${S}*4] (glTF xyzw per render vertex), got ${mesh.tangents.length}`);
  const splitPos = source ? gatherSplit(positions, source, 3) : positions;
  checkMesh({ positions: splitPos, triangles });
  const N = W * H;
  const C = texture ? textureChannels(texture) : (opts.albedo ?? GREY).length;
  if (texture) checkTexture(texture.data, texture.width, texture.height, C);
  const albedo = opts.albedo ?? GREY;
  if (!texture && albedo.length !== C) throw new Error(`render: albedo must have ${C} values`);

  const modelTris = source ? mapTriangles(triangles, source) : triangles;
  // Inputs go into shared slots when a FrameMemory is given (workers read them there).
  const f32 = (name: string, a: Float32Array): Float32Array => { if (!mem) return a; const o = mem.f32(name, a.length); o.set(a); return o; };
  const u32 = (name: string, a: Uint32Array): Uint32Array => (mem ? slotOf(mem.u32(name, a.length), a).slot : a);
  const fresh = (name: string, n: number): Float32Array => (mem ? mem.f32(name, n) : new Float32Array(n));
  const { tris, uvMem, topology } = topologyIn(triangles, uv ?? null, mem);
  const splitMem = f32("splitPos", splitPos);
  // Index arrays change only with the topology: u32 copies them in only when they differ.
  const tail: TailInputs = { positions: f32("positions", positions), modelTris: u32("modelTris", modelTris), source: source ? u32("source", source) : null, tangents: null };
  let normals: NormalsJob | null = null;
  if (light) {
    const tangentsIn = mapped && mesh.tangents ? f32("tangents", mesh.tangents) : null;
    normals = {
      positions: tail.positions, modelTris: tail.modelTris, source: tail.source, splitPositions: splitMem, triangles: tris, uv: mapped ? uvMem : null, tangentsIn,
      vn: fresh("vn", S * 3), tangents: mapped ? tangentsIn ?? fresh("tangents", S * 4) : null, vt: mapped ? fresh("vt", S * 3) : null, vb: mapped ? fresh("vb", S * 3) : null,
    };
    tail.tangents = normals.tangents;
    if (startNormals) startNormals(normals);
    else frameNormals(normals);
  }
  const clip = toClip(splitPos, camera.viewProjection, mem ? mem.f64("clip", S * 4) : undefined);
  const scr = screenCoords(clip, W, H, mem ? mem.f64("scr", S * 3) : undefined);
  const raster: Raster = {
    width: W, height: H, clip, viewProjection: camera.viewProjection,
    triangleId: mem ? mem.i32("ids", N) : new Int32Array(N),
    bary: mem ? mem.f32("bary", N * 2) : new Float32Array(N * 2),
    depth: mem ? mem.f32("depth", N) : new Float32Array(N),
  };
  const shared = (t: Texture | null | undefined, name: string, channels: number): Texture | null =>
    t ? { data: f32(name, t.data), width: t.width, height: t.height, channels, wrap: t.wrap } : null;
  const bg = opts.background ?? new Array(C).fill(0);
  const fused: FusedInputs = {
    raster, triangles: tris, channels: C, uv: uvMem, texture: shared(texture, "texture", C), albedo, light: light ?? null,
    vertexNormals: normals?.vn ?? null, tangents: normals?.vt ?? null, bitangents: normals?.vb ?? null, normalMap: light ? shared(normalMap, "normalMap", 3) : null,
    specular: specular ?? null, splitPositions: splitMem, eye: camera.eye, background: bg instanceof Float32Array ? f32("background", bg) : bg,
    keepNormalFrame: opts.keepNormalFrame === true,
  };
  let k = 0;
  const out = mem ? fusedOutputs(fused, (n) => mem.f32(`out${k++}`, n), mem.u8("mask", N)) : fusedOutputs(fused);
  return { frame: { fused, raster, scr, out, rows: mem ? mem.i32("rows", H) : new Int32Array(H), triRows: null, topology }, saved: { mesh, opts, frame: null!, tail } };
}

/**
 * Triangles and uv in `mem` (copied only when their contents changed) and Frame.topology,
 * whose version counts those changes; as given without `mem`.
 */
function topologyIn(triangles: Uint32Array, uv: Float32Array | null, mem?: FrameMemory): { tris: Uint32Array; uvMem: Float32Array | null; topology: Int32Array | null } {
  if (!mem) return { tris: triangles, uvMem: uv, topology: null };
  const topology = mem.i32("topology", 2);
  // A random id per memory: caches in a thread serving several renderers never mix them up.
  if (topology[0] === 0) topology[0] = 1 + Math.floor(Math.random() * 0x7ffffffe);
  const t = slotOf(mem.u32("triangles", triangles.length), triangles), u = uv ? slotOf(mem.f32("uv", uv.length), uv) : null;
  if (t.changed || u?.changed) topology[1] = (topology[1]! + 1) | 0;
  return { tris: t.slot, uvMem: u?.slot ?? null, topology };
}

/** `slot` holding `values`: copied in only when they differ (a compare reads, a copy also writes). */
function slotOf<T extends Uint32Array | Float32Array>(slot: T, values: T): { slot: T; changed: boolean } {
  for (let i = 0; i < values.length; i++) if (slot[i] !== values[i]) { slot.set(values); return { slot, changed: true }; }
  return { slot, changed: false };
}

/** The public result for a frame whose bands have all run. */
export function frameResult(frame: Frame, saved: Saved): RenderResult {
  saved.frame = frame;
  return { image: frame.out.image, channels: frame.fused.channels, mask: frame.out.mask, raster: frame.raster, saved };
}

export function render(mesh: RenderMesh, opts: RenderOptions): RenderResult {
  const { frame, saved } = prepareFrame(mesh, opts);
  forwardBand(frame, 0, opts.height);
  return frameResult(frame, saved);
}

export interface RenderGrads {
  texture?: Float32Array;
  normalMap?: Float32Array;
  positions?: Float32Array;
}

export type { GradTarget };

/** The adjoint's inputs for `result` (per-pixel gradient buffers from `mem` when given; the gradient image copied there when `shareGrad`). */
export function backwardJob(result: RenderResult, gradImage: Float32Array, wrt: readonly GradTarget[], mem?: FrameMemory, shareGrad = true): BackwardJob {
  const { raster, channels: C, saved } = result;
  const N = raster.width * raster.height;
  if (gradImage.length !== N * C) throw new Error(`renderBackward: gradient has ${gradImage.length} values, expected ${N * C}`);
  const wantPos = wrt.includes("positions");
  const f2 = (name: string) => (mem ? mem.f32(name, N * 2) : new Float32Array(N * 2));
  let g = gradImage;
  if (mem && shareGrad) { g = mem.f32("gradImage", N * C); g.set(gradImage); }
  return {
    frame: saved.frame, gradImage: g, wantTexture: wrt.includes("texture"), wantMap: wrt.includes("normalMap"), wantPos,
    gBary: wantPos ? f2("gBary") : null, gUv: wantPos && saved.frame.out.uvImg ? f2("gUv") : null,
    gAlbedo: mem ? mem.f32("gAlbedo", N * C) : null, gNormals: mem && saved.frame.fused.light ? mem.f32("gNormals", N * 3) : null,
  };
}

/** Adjoint of render: dL/dimage `[H*W*C]` → gradients for the inputs in `wrt` (default all). */
export function renderBackward(result: RenderResult, gradImage: Float32Array, wrt: readonly GradTarget[] = ["texture", "normalMap", "positions"]): RenderGrads {
  const job = backwardJob(result, gradImage, wrt, scratchMemory, false);
  const acc = newAcc(accShape(job));
  syncScratch = bandScratch(job, syncScratch);
  backwardBand(job, acc, syncScratch, 0, result.raster.height, "none");
  return finishBackward(result.saved, job, acc);
}

// Per-pixel scratch of the synchronous adjoint (dL/dalbedo, dL/dn, dL/dbary, dL/duv), kept
// between calls: never returned, and each call rewrites the pixels it reads (fresh arrays cost
// ~10 MB of zeroed allocations per 512² call). The gradient image is not copied.
let syncScratch: BandScratch | undefined;
const scratchSlots = new Map<string, Float32Array>();
const scratchMemory: FrameMemory = {
  f32: (name, n) => {
    let a = scratchSlots.get(name);
    if (!a || a.length !== n) scratchSlots.set(name, (a = new Float32Array(n)));
    return a;
  },
  f64: (_, n) => new Float64Array(n),
  i32: (_, n) => new Int32Array(n),
  u32: (_, n) => new Uint32Array(n),
  u8: (_, n) => new Uint8Array(n),
};

/** The per-vertex tail of the adjoint, after the bands are reduced into `acc`: normals → positions, clip → positions, seam scatter. */
export function finishBackward(saved: Saved, job: BackwardJob, acc: BandAcc): RenderGrads {
  const out = gradsOut(job, acc);
  if (!job.wantPos) return out;
  const gPos = new Float32Array(saved.tail.positions.length);
  if (acc.vertexNormals) normalsTail(saved.tail, acc.vertexNormals, acc.bitangents, gPos);
  addClipTail(saved.tail, clipTail(job, acc.clip!), gPos);
  out.positions = gPos;
  return out;
}

/** The texture and normal-map gradients of an adjoint (the positions' come from its tail). */
export function gradsOut(job: BackwardJob, acc: Pick<BandAcc, "texture" | "normalMap">): RenderGrads {
  const out: RenderGrads = {};
  if (job.wantMap && acc.normalMap) out.normalMap = acc.normalMap;
  if (job.wantTexture && acc.texture) out.texture = acc.texture;
  return out;
}

/**
 * The tail's normals part: dL/d(vertex normals) (and the bitangents', which follow them; both
 * per render vertex, `gNormals` updated in place) → dL/dpositions on model vertices, added to
 * `out`. Independent of the clip part, so a ParallelRenderer runs the two on two threads.
 */
export function normalsTail(t: TailInputs, gNormals: Float32Array, gBitangents: Float32Array | null, out: Float32Array): void {
  // The bitangents w·(n × t) follow the vertex normals.
  if (t.tangents) vertexBitangentsBackward(t.tangents, gBitangents!, gNormals);
  const gModelN = t.source ? scatter(gNormals, t.source, 3, t.positions.length) : gNormals;
  vertexNormalsBackward(t.positions, t.modelTris, gModelN, out);
}

/** The tail's clip part: dL/dclip → dL/d(render-vertex positions) `[S*3]`. */
export function clipTail(job: BackwardJob, gClip: Float64Array): Float32Array {
  const raster = job.frame.raster;
  return clipToPositionsBackward(gClip, raster.viewProjection, new Float32Array((raster.clip.length / 4) * 3));
}

/** Adds clipTail's per-render-vertex gradient onto the model positions' (after the normals part, in that order: the bytes). */
export function addClipTail(t: TailInputs, gSplit: Float32Array, out: Float32Array): void {
  if (t.source) scatter(gSplit, t.source, 3, t.positions.length, out);
  else for (let i = 0; i < gSplit.length; i++) out[i] += gSplit[i]!;
}

/** A texture's channel count: as given, else data.length / (width·height). */
export function textureChannels(t: Texture): number {
  return t.channels ?? t.data.length / (t.width * t.height);
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
    const { albedoImg, normals, viewDirs } = first.saved.frame.out;
    const ids = first.raster.triangleId;
    for (let l = 1; l < lights.length; l++) {
      const img = shade(albedoImg, first.channels, normals!, ids, lights[l]!, rest.specular, viewDirs);
      images.push(composite(img, first.channels, ids, rest.background ?? new Array(first.channels).fill(0)));
    }
  }
  return images;
}
