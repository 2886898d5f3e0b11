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
import { addAndClearOn, addAndClearWasm } from "./wasm/reduce-kernel.js";

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
  /**
   * `[memory id, version]` of the frame's uv and triangles when they live in a FrameMemory: the
   * version changes whenever their contents do, so per-thread caches derived from them (the
   * triangles' footprint boxes) stay valid across frames. Null: no such cache.
   */
  topology?: Int32Array | null;
}

/** The side of the square texel tiles footprints are kept in. */
export const FOOTPRINT_TILE = 32;
const TILE_SHIFT = 5;

/** A gradient atlas's layout (texture or normal map), as footprints and reduceBands walk it. */
export interface Atlas {
  width: number;
  height: number;
  channels: number;
}

/** Footprint tiles over an atlas (0 without one). */
export function atlasTiles(a: Atlas | null | undefined): number {
  return a ? Math.ceil(a.width / FOOTPRINT_TILE) * Math.ceil(a.height / FOOTPRINT_TILE) : 0;
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
   * Which texel tiles (FOOTPRINT_TILE² texels) of `texture`, then of `normalMap`, this band's
   * pixels can write (1) or not (0), from the uv of the triangles its rows meet: the
   * ParallelRenderer reduces and zeroes only those. Tiles, not ranges of rows: a band of image
   * rows reaches texel rows all over a face atlas (four bands' row ranges added up to 2.5
   * atlases on the ICT region; their 32² tiles to 1.3).
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
  const texture = f.texture && (job.wantTexture || job.wantPos) ? f.texture.data.length : 0;
  const normalMap = normals && f.normalMap && job.wantMap ? f.normalMap.data.length : 0;
  const atlas = (t: { width: number; height: number } | null, channels: number, n: number): Atlas | null => (t && n ? { width: t.width, height: t.height, channels } : null);
  return {
    texture, normalMap,
    vertexNormals: normals ? S : 0,
    bitangents: normals ? S : 0,
    clip: job.wantPos ? job.frame.raster.clip.length : 0,
    atlases: { texture: atlas(f.texture, f.channels, texture), normalMap: atlas(f.normalMap, 3, normalMap) },
  };
}

export interface AccShape extends Record<Exclude<keyof BandAcc, "footprint">, number> {
  /** The texture's and normal map's layouts (footprint tiles); absent: one tile each. */
  atlases?: { texture: Atlas | null; normalMap: Atlas | null };
}

export function newAcc(shape: AccShape, f32: (n: number) => Float32Array = (n) => new Float32Array(n), f64: (n: number) => Float64Array = (n) => new Float64Array(n), i32: (n: number) => Int32Array = (n) => new Int32Array(n)): BandAcc {
  // Every tile, until a band records its own (BandClear "footprint").
  const footprint = i32(Math.max(1, atlasTiles(shape.atlases?.texture) + atlasTiles(shape.atlases?.normalMap)));
  footprint.fill(1);
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
 * Records in `fp` (BandAcc.footprint) the texel tiles that bilinear taps of rows y0…y1 can
 * write: every covered pixel of those rows takes its uv as a convex combination of its
 * triangle's (`triRows`, rasterize.ts triangleRows, lists the triangles meeting the rows), so
 * its taps fall in that triangle's uv box, widened by a texel each side for the rounding of
 * interpolated uv (sampleTexture's x = u·W − 0.5, y = (1 − v)·H − 0.5, clamped). Every tile of
 * an atlas when unknown: no row bins, a non-finite uv, or "repeat" wrapping. The triangles'
 * boxes are cached per thread while `topology` says uv and triangles are unchanged.
 */
export function markFootprint(fp: Int32Array, triRows: Int32Array | null, tris: Uint32Array, uv: Float32Array, y0: number, y1: number, tex: (Atlas & { repeat: boolean }) | null, map: (Atlas & { repeat: boolean }) | null, topology?: Int32Array | null): void {
  const nTex = atlasTiles(tex);
  fp.fill(0);
  if (tex) markAtlas(fp, 0, triRows, tris, uv, y0, y1, tex, topology);
  // The same uv over an atlas of the same size marks the same tiles.
  if (map && tex && map.width === tex.width && map.height === tex.height && map.repeat === tex.repeat) fp.copyWithin(nTex, 0, nTex);
  else if (map) markAtlas(fp, nTex, triRows, tris, uv, y0, y1, map, topology);
}

function markAtlas(fp: Int32Array, at: number, triRows: Int32Array | null, tris: Uint32Array, uv: Float32Array, y0: number, y1: number, a: Atlas & { repeat: boolean }, topology?: Int32Array | null): void {
  const n = atlasTiles(a);
  const boxes = a.repeat || !triRows ? null : triangleBoxes(tris, uv, a.width, a.height, topology);
  if (!boxes) { fp.fill(1, at, at + n); return; }
  const tilesX = Math.ceil(a.width / FOOTPRINT_TILE), T = tris.length / 3;
  for (let t = 0; t < T; t++) {
    if (triRows![2 * t + 1]! < y0 || triRows![2 * t]! >= y1) continue;
    const b = boxes[t]!;
    const x0 = b & 255, x1 = (b >>> 8) & 255, r0 = (b >>> 16) & 255, r1 = b >>> 24;
    for (let ty = r0; ty <= r1; ty++) for (let tx = x0, row = at + ty * tilesX; tx <= x1; tx++) fp[row + tx] = 1;
  }
}

// Per thread: the last triangles' boxes per atlas size, for one [memory id, version].
let boxCache: { id: number; version: number; boxes: Map<string, Int32Array | null> } | null = null;

/**
 * Each triangle's footprint box in tiles, packed x0 | x1 << 8 | y0 << 16 | y1 << 24 (atlases up
 * to 8192 texels a side), or null for a non-finite uv (taps anywhere).
 */
function triangleBoxes(tris: Uint32Array, uv: Float32Array, w: number, h: number, topology?: Int32Array | null): Int32Array | null {
  if (w > 256 * FOOTPRINT_TILE || h > 256 * FOOTPRINT_TILE) return null; // tiles would not fit 8 bits: every tile
  const key = `${w}x${h}:${tris.length}:${uv.length}`;
  if (topology) {
    if (!boxCache || boxCache.id !== topology[0] || boxCache.version !== topology[1]) boxCache = { id: topology[0]!, version: topology[1]!, boxes: new Map() };
    const hit = boxCache.boxes.get(key);
    if (hit !== undefined) return hit;
  }
  const S = uv.length / 2, T = tris.length / 3, tiles = new Int32Array(S * 4);
  let boxes: Int32Array | null = new Int32Array(T);
  for (let s = 0; s < S; s++) {
    const u = uv[2 * s]!, v = uv[2 * s + 1]!;
    if (!(u - u === 0 && v - v === 0)) { boxes = null; break; }
    const fx = Math.floor(u * w - 0.5), fy = Math.floor((1 - v) * h - 0.5);
    // Clamped to the atlas (≤ 8192 texels), so |0 is exact; a texel of margin each side.
    const x0 = fx - 1 < 0 ? 0 : fx - 1 > w - 1 ? w - 1 : fx - 1, x1 = fx + 2 < 0 ? 0 : fx + 2 > w - 1 ? w - 1 : fx + 2;
    const r0 = fy - 1 < 0 ? 0 : fy - 1 > h - 1 ? h - 1 : fy - 1, r1 = fy + 2 < 0 ? 0 : fy + 2 > h - 1 ? h - 1 : fy + 2;
    tiles[4 * s] = (x0 | 0) >> TILE_SHIFT; tiles[4 * s + 1] = (x1 | 0) >> TILE_SHIFT; tiles[4 * s + 2] = (r0 | 0) >> TILE_SHIFT; tiles[4 * s + 3] = (r1 | 0) >> TILE_SHIFT;
  }
  // A triangle's box is the min/max over its vertices' (floor and clamping are monotone).
  if (boxes) for (let t = 0; t < T; t++) {
    const i0 = 4 * tris[3 * t]!, i1 = 4 * tris[3 * t + 1]!, i2 = 4 * tris[3 * t + 2]!;
    const x0 = Math.min(tiles[i0]!, tiles[i1]!, tiles[i2]!), x1 = Math.max(tiles[i0 + 1]!, tiles[i1 + 1]!, tiles[i2 + 1]!);
    const r0 = Math.min(tiles[i0 + 2]!, tiles[i1 + 2]!, tiles[i2 + 2]!), r1 = Math.max(tiles[i0 + 3]!, tiles[i1 + 3]!, tiles[i2 + 3]!);
    boxes[t] = x0 | (x1 << 8) | (r0 << 16) | (r1 << 24);
  }
  boxCache?.boxes.set(key, boxes);
  return boxes;
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
  inTurn(next, edges.length - 1, (c) => forwardBand(frame, edges[c]!, edges[c + 1]!));
}

/** Runs `run(i)` for the items i < n this thread takes from the shared counter `next` (Atomics: each item once, whichever thread). */
function inTurn(next: Int32Array, n: number, run: (i: number) => void): void {
  for (let i = Atomics.add(next, 0, 1); i < n; i = Atomics.add(next, 0, 1)) run(i);
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
    acc.footprint.fill(1);
  } else if (clear === "footprint") {
    for (const a of [acc.vertexNormals, acc.bitangents, acc.clip]) a?.fill(0);
    const tex = acc.texture ? f.texture : null, map = acc.normalMap ? f.normalMap : null;
    markFootprint(acc.footprint, frame.triRows, f.triangles, f.uv ?? new Float32Array(0), y0, y1,
      tex && { width: tex.width, height: tex.height, channels: C, repeat: tex.wrap === "repeat" },
      map && { width: map.width, height: map.height, channels: 3, repeat: map.wrap === "repeat" }, frame.topology);
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
  inTurn(next, edges.length - 1, (b) => backwardBand(job, accs[b]!, scratch, edges[b]!, edges[b + 1]!, clear));
}

/** Where reduceBands sums the texture and normal-map gradients when not into band 0 (any contents: it zeroes its range first). */
export interface ReduceTarget {
  texture: Float32Array | null;
  normalMap: Float32Array | null;
  /** Their layouts (AccShape.atlases): the bands' footprints are tiles of these. */
  atlases: { texture: Atlas | null; normalMap: Atlas | null };
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
    if ((key === "texture" || key === "normalMap") && into?.[key]) {
      const atlases = into.atlases;
      reduceTiles(accs, key, into[key]!, atlases[key]!, key === "texture" ? 0 : atlasTiles(atlases.texture), range);
      continue;
    }
    const lo = Math.floor(range[0] * first.length), hi = Math.floor(range[1] * first.length);
    for (let b = 1; b < accs.length; b++) addFolded(first, accs[b]![key]!, lo, hi);
  }
}

/** Texel rows [from·H, to·H) of one atlas: target = Σ bands (in order) over each band's footprint tiles, read then zeroed. */
function reduceTiles(accs: readonly BandAcc[], key: "texture" | "normalMap", target: Float32Array, atlas: Atlas, at: number, [from, to]: readonly [number, number]): void {
  const { width: w, height: h, channels: C } = atlas, S = FOOTPRINT_TILE, tilesX = Math.ceil(w / S), row = w * C;
  const y0 = Math.floor(from * h), y1 = Math.floor(to * h);
  target.fill(0, y0 * row, y1 * row);
  for (const acc of accs) {
    const fp = acc.footprint, a = acc[key]!, add = addAndClearOn(target, a);
    for (let ty = (y0 / S) | 0; ty * S < y1; ty++) {
      const ry0 = Math.max(y0, ty * S), ry1 = Math.min(y1, (ty + 1) * S);
      // Runs of consecutive footprint tiles in this tile row, each a span of every texel row.
      for (let tx = 0; tx < tilesX; ) {
        if (fp[at + ty * tilesX + tx] === 0) { tx++; continue; }
        const tx0 = tx;
        while (tx < tilesX && fp[at + ty * tilesX + tx] !== 0) tx++;
        const c0 = tx0 * S * C, c1 = Math.min(w, tx * S) * C;
        for (let y = ry0; y < ry1; y++) {
          const l = y * row + c0, r = y * row + c1;
          if (add) add(l, r);
          else { addInto32(target, a, l, r); a.fill(0, l, r); }
        }
      }
    }
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
