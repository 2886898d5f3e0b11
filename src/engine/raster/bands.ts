/**
 * render()/renderBackward() as per-band kernels: a frame is split into bands of rows, and each
 * band runs rasterize → fused shading (forward) or the whole pixel adjoint (backward) on its
 * rows only. render.ts runs one band covering the frame on the calling thread; parallel.ts
 * hands bands to workers over SharedArrayBuffers. Same code either way.
 *
 * Determinism: forward pixels do not depend on the split (each pixel visits the triangles in
 * the same order). Backward scatters (texture, normal map, vertex normals/bitangents, clip
 * vertices) go to one accumulation buffer per band, and reduceBands sums them per element in
 * band order 0, 1, …, B−1. The bytes therefore depend on the band count B (one band = the
 * synchronous renderBackward, bit for bit) and never on how many threads ran the bands.
 */
import type { DirectionalLight, Texture } from "./types.js";
import type { Raster } from "./rasterize.js";
import { rasterizeRows, rasterizeBackwardClip } from "./rasterize.js";
import { shadePixels, type FusedInputs, type FusedOutputs } from "./fused.js";
import { shadeBackward, shadeBackwardAlbedo, type Specular } from "./shade.js";
import { normalChainBackward, type NormalChainInputs } from "./normalChain.js";
import { normalChainBackwardWasm } from "./wasm/normal-chain-kernel.js";
import { sampleTextureBackward } from "./texture.js";
import { interpolateBackwardBary } from "./interpolate.js";
import { addAndClearWasm } from "./wasm/reduce-kernel.js";

/** Everything a band reads and writes (typed arrays, possibly views of SharedArrayBuffers). */
export interface Frame {
  fused: FusedInputs;
  raster: Raster;
  /** Screen coordinates per render vertex `[S*3]` (rasterize.ts screenCoords). */
  scr: Float64Array;
  out: FusedOutputs;
  /** Covered pixels per row `[H]`, counted by each band after shading: balances the next split. */
  rows: Int32Array;
  /** Each triangle's pixel rows `[T*2]` (rasterize.ts triangleRows) when the frame is split into bands, else null. */
  triRows: Int32Array | null;
}

export type GradTarget = "texture" | "normalMap" | "positions";

/** Per-band accumulation buffers (null when not needed for this adjoint). */
export interface BandAcc {
  texture: Float32Array | null;
  normalMap: Float32Array | null;
  vertexNormals: Float32Array | null;
  bitangents: Float32Array | null;
  clip: Float64Array | null;
  /**
   * The element ranges [lo, hi) of `texture` and `normalMap` this band's pixels can write
   * (`[texLo, texHi, mapLo, mapHi]`, from the texel rows its uv reach): the ParallelRenderer
   * reduces and zeroes only those, since a band's rows see a part of the atlas.
   */
  footprint: Int32Array;
}

export interface BackwardJob {
  frame: Frame;
  gradImage: Float32Array;
  wantTexture: boolean;
  wantMap: boolean;
  wantPos: boolean;
  /** Per-pixel dL/dbary and dL/duv `[H*W*2]` (rows are disjoint between bands). */
  gBary: Float32Array | null;
  gUv: Float32Array | null;
  /**
   * Per-pixel dL/dalbedo `[H*W*C]` shared by the bands (rows are disjoint), when the frame's
   * memory provides it: in a WasmArena the texture adjoint's SIMD kernel can then read it.
   * Absent: each thread's BandScratch holds its own.
   */
  gAlbedo?: Float32Array | null;
  /** Per-pixel dL/dn `[H*W*3]`, shared the same way (for the normal chain's SIMD kernel). */
  gNormals?: Float32Array | null;
}

/** Per-thread scratch for the pixel-local gradients (dL/dalbedo, dL/dnormal). */
export interface BandScratch {
  gA: Float32Array;
  gN: Float32Array;
}

export function bandScratch(job: BackwardJob, prev?: BandScratch): BandScratch {
  const f = job.frame.fused, N = f.raster.width * f.raster.height;
  const gA = job.gAlbedo ?? (prev && prev.gA.length === N * f.channels ? prev.gA : new Float32Array(N * f.channels));
  const gN = job.gNormals ?? (prev && prev.gN.length === N * 3 ? prev.gN : new Float32Array(N * 3));
  if (prev && prev.gA === gA && prev.gN === gN) return prev;
  return { gA, gN };
}

/** Which accumulators an adjoint needs, and their lengths. */
export function accShape(job: Omit<BackwardJob, "gBary" | "gUv" | "gradImage">): AccShape {
  const f = job.frame.fused;
  const normals = f.light !== null && (job.wantPos || (f.normalMap !== null && job.wantMap));
  const S = f.vertexNormals ? f.vertexNormals.length : 0;
  return {
    texture: f.texture && (job.wantTexture || job.wantPos) ? f.texture.data.length : 0,
    normalMap: normals && f.normalMap && job.wantMap ? f.normalMap.data.length : 0,
    vertexNormals: normals ? S : 0,
    bitangents: normals ? S : 0,
    clip: job.wantPos ? job.frame.raster.clip.length : 0,
  };
}

export type AccShape = Record<Exclude<keyof BandAcc, "footprint">, number>;

export function newAcc(shape: AccShape, f32: (n: number) => Float32Array = (n) => new Float32Array(n), f64: (n: number) => Float64Array = (n) => new Float64Array(n), i32: (n: number) => Int32Array = (n) => new Int32Array(n)): BandAcc {
  const footprint = i32(4);
  footprint.set([0, shape.texture, 0, shape.normalMap]);
  return {
    texture: shape.texture ? f32(shape.texture) : null,
    normalMap: shape.normalMap ? f32(shape.normalMap) : null,
    vertexNormals: shape.vertexNormals ? f32(shape.vertexNormals) : null,
    bitangents: shape.bitangents ? f32(shape.bitangents) : null,
    clip: shape.clip ? f64(shape.clip) : null,
    footprint,
  };
}

/**
 * The range of v over the triangles whose pixel rows meet y0…y1 (`triRows`, rasterize.ts
 * triangleRows): every covered pixel of those rows takes its uv as a convex combination of its
 * triangle's. Null when unknown (no row bins, or a non-finite v). One pass over the triangles'
 * row bins, far cheaper than reading every pixel's uv.
 */
export function bandVRange(triRows: Int32Array | null, tris: Uint32Array, uv: Float32Array, y0: number, y1: number): [number, number] | null {
  if (!triRows) return null;
  let lo = Infinity, hi = -Infinity;
  const T = tris.length / 3;
  for (let t = 0; t < T; t++) {
    if (triRows[2 * t + 1]! < y0 || triRows[2 * t]! >= y1) continue;
    for (let k = 0; k < 3; k++) {
      const v = uv[2 * tris[3 * t + k]! + 1]!;
      if (!(v === v) || v === Infinity || v === -Infinity) return null;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Element range [lo, hi) of a texture `[th*tw*C]` that bilinear taps at v in [vLo, vHi] can
 * touch: those texel rows, one row of margin each side (rounding of the interpolated v). The
 * whole texture for "repeat" or an unknown range; nothing for an empty one.
 */
export function tapFootprint(range: [number, number] | null, tw: number, th: number, C: number, repeat: boolean): [number, number] {
  if (repeat || !range) return [0, tw * th * C];
  const [vLo, vHi] = range;
  if (vLo > vHi) return [0, 0];
  const yLo = (1 - vHi) * th - 0.5, yHi = (1 - vLo) * th - 0.5;
  const r0 = Math.max(0, Math.min(th - 1, Math.floor(yLo) - 1)), r1 = Math.max(0, Math.min(th - 1, Math.floor(yHi) + 2));
  return [r0 * tw * C, (r1 + 1) * tw * C];
}

/** Forward for rows y0…y1: rasterize (coverage + barycentrics) then the fused shading pass. */
export function forwardBand(frame: Frame, y0: number, y1: number): void {
  const { raster, fused, scr, out } = frame;
  const W = raster.width;
  rasterizeRows(raster.clip, scr, fused.triangles, W, y0, y1, raster.triangleId, raster.depth, raster.bary, frame.triRows);
  shadePixels(fused, y0 * W, y1 * W, out);
  const mask = out.mask;
  for (let y = y0; y < y1; y++) {
    let n = 0;
    for (let p = y * W, end = p + W; p < end; p++) n += mask[p]!;
    frame.rows[y] = n;
  }
}

/**
 * Forward chunks rows edges[c]…edges[c+1], taken in turn by every thread that calls this: each
 * takes the next chunk from the shared counter `next` until none is left. The pixels do not
 * depend on who runs which chunk.
 */
export function forwardChunks(frame: Frame, edges: readonly number[], next: Int32Array): void {
  for (let c = Atomics.add(next, 0, 1); c < edges.length - 1; c = Atomics.add(next, 0, 1)) forwardBand(frame, edges[c]!, edges[c + 1]!);
}

/**
 * How backwardBand prepares a band's buffers: "all" zeroes them whole (its footprints = all);
 * "footprint" records the band's texture and normal-map footprints and zeroes its other
 * buffers, the texture and normal map being zero already (reduceBands with `into` leaves them
 * so); "none" accumulates into them as they are (fresh arrays).
 */
export type BandClear = "all" | "footprint" | "none";

/** The pixel part of the adjoint for rows y0…y1, scattering into `acc`. Background pixels are skipped by every kernel. */
export function backwardBand(job: BackwardJob, acc: BandAcc, scratch: BandScratch, y0: number, y1: number, clear: BandClear = "all"): void {
  const { frame, gradImage, wantPos, gBary, gUv } = job;
  const { raster, fused: f, out } = frame;
  const W = raster.width, C = f.channels, p0 = y0 * W, p1 = y1 * W;
  const ids = raster.triangleId;
  if (clear === "all") {
    for (const a of [acc.texture, acc.normalMap, acc.vertexNormals, acc.bitangents, acc.clip]) a?.fill(0);
    acc.footprint.set([0, acc.texture?.length ?? 0, 0, acc.normalMap?.length ?? 0]);
  } else if (clear === "footprint") {
    for (const a of [acc.vertexNormals, acc.bitangents, acc.clip]) a?.fill(0);
    const fp = acc.footprint, tex = f.texture, map = f.normalMap;
    const range = acc.texture || acc.normalMap ? bandVRange(frame.triRows, f.triangles, f.uv!, y0, y1) : null;
    const [t0, t1] = acc.texture && tex ? tapFootprint(range, tex.width, tex.height, C, tex.wrap === "repeat") : [0, 0];
    const [m0, m1] = acc.normalMap && map ? tapFootprint(range, map.width, map.height, 3, map.wrap === "repeat") : [0, 0];
    fp[0] = t0; fp[1] = t1; fp[2] = m0; fp[3] = m1;
  }
  gBary?.fill(0, 2 * p0, 2 * p1);
  gUv?.fill(0, 2 * p0, 2 * p1);
  const light: DirectionalLight | null = f.light;
  let gAlbedo: Float32Array;
  if (light) {
    if (!acc.vertexNormals) gAlbedo = shadeBackwardAlbedo(C, out.normals!, ids, light, gradImage, p0, p1, scratch.gA);
    else {
      const gs = shadeBackward(out.albedoImg, C, out.normals!, ids, light, f.specular as Specular | null, out.viewDirs, gradImage, p0, p1, { albedo: scratch.gA, normals: scratch.gN });
      gAlbedo = gs.albedo;
      // One fused pass (normalChain.ts) instead of shadingNormalsBackward → the map's
      // sampleTextureBackward → three interpolateBackward calls.
      const chain: NormalChainInputs = {
        raster, triangles: f.triangles, gradN: gs.normals, vertexNormals: f.vertexNormals!, tangents: f.tangents, bitangents: f.bitangents,
        uvImg: out.uvImg, normalMap: f.normalMap, wantMap: acc.normalMap !== null, wantPos, gBary, gUv, p0, p1, frame: out.frame,
        acc: { normalMap: acc.normalMap, vertexNormals: acc.vertexNormals, bitangents: acc.bitangents! },
      };
      // The SIMD kernel (same bytes) when the frame lies in a WebAssembly arena, else JS.
      if (!normalChainBackwardWasm(chain)) normalChainBackward(chain);
    }
  } else {
    gAlbedo = scratch.gA;
    gAlbedo.fill(0, p0 * C, p1 * C);
    for (let p = p0; p < p1; p++) if (ids[p] !== 0) for (let c = 0; c < C; c++) gAlbedo[p * C + c] = gradImage[p * C + c]!;
  }
  const tex: Texture | null = f.texture;
  if (tex && acc.texture) sampleTextureBackward(out.uvImg!, ids, tex.data, tex.width, tex.height, C, gAlbedo, { wrap: tex.wrap }, { texture: acc.texture, uv: gUv }, p0, p1);
  if (wantPos) {
    if (gUv) interpolateBackwardBary(ids, f.triangles, f.uv!, 2, gUv, gBary!, p0, p1);
    rasterizeBackwardClip(ids, W, raster.clip, f.triangles, gBary!, acc.clip!, y0, y1);
  }
}

/** backwardBand for bands edges[b]…edges[b+1] into accs[b], taken in turn from the shared counter `next` by every thread that calls this. */
export function backwardBands(job: BackwardJob, accs: readonly BandAcc[], scratch: BandScratch, edges: readonly number[], next: Int32Array, clear: BandClear): void {
  for (let b = Atomics.add(next, 0, 1); b < edges.length - 1; b = Atomics.add(next, 0, 1)) backwardBand(job, accs[b]!, scratch, edges[b]!, edges[b + 1]!, clear);
}

/** Where reduceBands sums the texture and normal-map gradients when not into band 0 (any contents: it zeroes its range first). */
export interface ReduceTarget {
  texture: Float32Array | null;
  normalMap: Float32Array | null;
}

/**
 * Sums the bands' buffers in band order (one fixed association per element, whoever runs it)
 * over the share `ranges` gives of each (fractions [from, to) of its length; a buffer absent
 * there is left alone): into band 0's, or with `into`, the texture and normal map into those
 * arrays (zeroed over the range first). Callers split [0, 1) of every buffer among threads.
 * With `into`, each band's texture and normal map are read only inside its footprint (zero
 * outside, see BandClear) and zeroed there after the read, so the next frame finds them zero.
 * Skipping zeros keeps the bytes: these sums never hold −0 (they start at +0, and +0 + −0 = +0).
 */
export function reduceBands(accs: readonly BandAcc[], ranges: ReduceRanges, into?: ReduceTarget): void {
  for (const key of REDUCE_KEYS) {
    const first = accs[0]?.[key], range = ranges[key];
    if (!first || !range) continue;
    const lo = Math.floor(range[0] * first.length), hi = Math.floor(range[1] * first.length);
    const target = key === "texture" || key === "normalMap" ? into?.[key] : null;
    if (target) {
      const f = key === "texture" ? 0 : 2;
      target.fill(0, lo, hi);
      for (const acc of accs) {
        const fp = acc.footprint, a = acc[key] as Float32Array;
        const l = Math.max(lo, fp[f]!), h = Math.min(hi, fp[f + 1]!);
        if (l < h && !addAndClearWasm(target, a, l, h)) { addInto32(target, a, l, h); a.fill(0, l, h); }
      }
      continue;
    }
    for (let b = 1; b < accs.length; b++) addFolded(first, accs[b]![key]!, lo, hi);
  }
}

export type ReduceKey = Exclude<keyof BandAcc, "footprint">;
export const REDUCE_KEYS: readonly ReduceKey[] = ["texture", "normalMap", "vertexNormals", "bitangents", "clip"];
/** A thread's share of each buffer in a reduction: [from, to) fractions of its length. */
export type ReduceRanges = Partial<Record<ReduceKey, readonly [number, number]>>;

/** The same share [from, to) of every buffer. */
export function everyBuffer(from: number, to: number): ReduceRanges {
  return Object.fromEntries(REDUCE_KEYS.map((k) => [k, [from, to] as const]));
}

/**
 * dst += src over [lo, hi), for bands 1… folded into band 0: the SIMD kernel (which also zeroes
 * src there; every band zeroes these buffers before its next adjoint anyway) or the JS loop
 * (these loops over shared memory ran at ~4 ns an element: a third of the reduction).
 */
function addFolded(dst: Float32Array | Float64Array, src: Float32Array | Float64Array, lo: number, hi: number): void {
  if (addAndClearWasm(dst, src, lo, hi)) return;
  if (dst instanceof Float32Array) addInto32(dst, src as Float32Array, lo, hi);
  else addInto64(dst, src as Float64Array, lo, hi);
}

// One loop per element type: a loop over both Float32Array and Float64Array buffers went
// polymorphic in V8 (~5× slower).
function addInto32(dst: Float32Array, src: Float32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) dst[i] += src[i]!;
}
function addInto64(dst: Float64Array, src: Float64Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) dst[i] += src[i]!;
}

/**
 * Band edges for B bands over H rows. Forward: the rows the mesh projects onto, split evenly
 * (the rows outside only get background). Backward: equal numbers of covered pixels, so bands
 * cost about the same; both depend only on this frame, so the split is reproducible.
 */
export function forwardEdges(scr: Float64Array, H: number, B: number): number[] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 1; i < scr.length; i += 3) { const y = scr[i]!; if (y < lo) lo = y; if (y > hi) hi = y; }
  const top = Number.isFinite(lo) ? Math.max(0, Math.min(H, Math.floor(lo))) : 0;
  const bot = Number.isFinite(hi) ? Math.max(top, Math.min(H, Math.ceil(hi) + 1)) : H;
  const edges = [0];
  for (let b = 1; b < B; b++) edges.push(top + Math.round(((bot - top) * b) / B));
  edges.push(H);
  return edges;
}

/** Backward edges from the covered pixels per row (Frame.rows, counted by the bands): whole rows, equal coverage per band. */
export function coverEdges(rows: Int32Array, B: number): number[] {
  const H = rows.length;
  let total = 0;
  for (let y = 0; y < H; y++) total += rows[y]!;
  const edges = [0];
  let cum = 0, y = 0;
  for (let b = 1; b < B; b++) {
    const goal = (total * b) / B;
    while (y < H && cum < goal) cum += rows[y++]!;
    edges.push(y);
  }
  edges.push(H);
  return edges;
}
