/**
 * Geometry maps (paper Sec. 6): vertex positions rasterized into UV space as a size×size×3
 * image (HWC, row 0 = v = 1, the renderer's texture layout), and sampled back to vertices.
 *
 * ICT's UVs span two tiles (u in [0,1]: the face; u in [1,2]: head, neck, mouth and eye
 * sockets). The map covers tile 0 only — the face the networks animate; vertices with no UV
 * in tile 0 are "uncovered" and keep the positions of the `fallback` mesh when sampling back.
 *
 * The UV raster is the renderer's `rasterize` with UVs as NDC positions and an identity camera
 * (so barycentrics are affine); background texels within `padding` pixels of a chart are then
 * filled from their neighbours, so bilinear lookups at chart borders do not blend in zeros.
 */
import type { SeamSplitMesh } from "../../face/types.js";
import { rasterize } from "../../raster/rasterize.js";
import { interpolate } from "../../raster/interpolate.js";
import { sampleTexture } from "../../raster/texture.js";
import type { Camera, RasterBuffer } from "../../raster/types.js";

export const GEOMETRY_MAP_SIZE = 256;

export interface GeometryMapLayout {
  readonly size: number;
  /** Model vertices the layout addresses (positions passed in are `[vertexCount*3]`). */
  readonly vertexCount: number;
  readonly raster: RasterBuffer;
  /** Tile-0 triangles, indices into the split vertices. */
  readonly triangles: Uint32Array;
  /** Split vertex → model vertex. */
  readonly source: Uint32Array;
  /** Split vertex UVs in tile 0 `[S*2]` (others are unused). */
  readonly uv: Float32Array;
  /** 1 where a split vertex lies on a tile-0 triangle. */
  readonly splitCovered: Uint8Array;
  /** 1 where a model vertex is represented in the map. */
  readonly covered: Uint8Array;
  readonly padding: number;
}

const IDENTITY = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

export function geometryMapLayout(split: SeamSplitMesh, vertexCount: number, size = GEOMETRY_MAP_SIZE, padding = 4): GeometryMapLayout {
  const S = split.source.length;
  const tris: number[] = [];
  for (let t = 0; t < split.triangles.length / 3; t++) {
    let inTile = true;
    for (let k = 0; k < 3; k++) {
      const u = split.tileUv[split.triangles[t * 3 + k]! * 2]!;
      if (u < 0 || u > 1) inTile = false;
    }
    if (inTile) tris.push(split.triangles[t * 3]!, split.triangles[t * 3 + 1]!, split.triangles[t * 3 + 2]!);
  }
  const triangles = Uint32Array.from(tris);
  const ndc = new Float32Array(S * 3);
  for (let i = 0; i < S; i++) {
    ndc[i * 3] = split.tileUv[i * 2]! * 2 - 1;
    ndc[i * 3 + 1] = split.tileUv[i * 2 + 1]! * 2 - 1;
  }
  const camera: Camera = { viewProjection: IDENTITY, view: IDENTITY, eye: [0, 0, 1] };
  const raster = rasterize({ positions: ndc, triangles }, camera, size, size);
  const splitCovered = new Uint8Array(S);
  for (const v of triangles) splitCovered[v] = 1;
  const covered = new Uint8Array(vertexCount);
  for (let i = 0; i < S; i++) if (splitCovered[i] && split.source[i]! < vertexCount) covered[split.source[i]!] = 1;
  return { size, vertexCount, raster, triangles, source: split.source, uv: split.tileUv, splitCovered, covered, padding };
}

/** Positions `[vertexCount*3]` → geometry map `[size*size*3]` (HWC), padded around charts. */
export function toGeometryMap(layout: GeometryMapLayout, positions: ArrayLike<number>): Float32Array {
  const S = layout.source.length;
  const attr = new Float32Array(S * 3);
  for (let i = 0; i < S; i++) {
    const v = layout.source[i]!;
    if (v >= layout.vertexCount) continue;
    attr[i * 3] = positions[v * 3]!;
    attr[i * 3 + 1] = positions[v * 3 + 1]!;
    attr[i * 3 + 2] = positions[v * 3 + 2]!;
  }
  const map = interpolate(layout.raster, { triangles: layout.triangles }, attr, 3);
  dilate(map, layout.raster.triangleId, layout.size, 3, layout.padding);
  return map;
}

/**
 * Geometry map → positions `[vertexCount*3]`: bilinear lookups at each covered vertex's UVs
 * (averaged over its seam copies); uncovered vertices are copied from `fallback`.
 */
export function fromGeometryMap(layout: GeometryMapLayout, map: Float32Array, fallback: ArrayLike<number>, out = new Float32Array(layout.vertexCount * 3)): Float32Array {
  const S = layout.source.length;
  const samples = sampleTexture(layout.uv, null, map, layout.size, layout.size, 3);
  const count = new Uint16Array(layout.vertexCount);
  out.fill(0);
  for (let i = 0; i < S; i++) {
    const v = layout.source[i]!;
    if (!layout.splitCovered[i] || v >= layout.vertexCount) continue;
    out[v * 3] += samples[i * 3]!;
    out[v * 3 + 1] += samples[i * 3 + 1]!;
    out[v * 3 + 2] += samples[i * 3 + 2]!;
    count[v]!++;
  }
  for (let v = 0; v < layout.vertexCount; v++) {
    if (count[v]) for (let a = 0; a < 3; a++) out[v * 3 + a] /= count[v]!;
    else for (let a = 0; a < 3; a++) out[v * 3 + a] = fallback[v * 3 + a]!;
  }
  return out;
}

export interface RoundTripError {
  /** Vertices represented in the map. */
  covered: number;
  meanCm: number;
  rmsCm: number;
  maxCm: number;
  /** 99th percentile, cm. */
  p99Cm: number;
}

/** Position error of positions → map → positions over the covered vertices. */
export function roundTripError(layout: GeometryMapLayout, positions: ArrayLike<number>): RoundTripError {
  const back = fromGeometryMap(layout, toGeometryMap(layout, positions), positions);
  const errors: number[] = [];
  for (let v = 0; v < layout.vertexCount; v++) {
    if (!layout.covered[v]) continue;
    errors.push(Math.hypot(back[v * 3]! - positions[v * 3]!, back[v * 3 + 1]! - positions[v * 3 + 1]!, back[v * 3 + 2]! - positions[v * 3 + 2]!));
  }
  errors.sort((a, b) => a - b);
  const n = errors.length;
  return {
    covered: n,
    meanCm: errors.reduce((a, b) => a + b, 0) / n,
    rmsCm: Math.sqrt(errors.reduce((a, b) => a + b * b, 0) / n),
    maxCm: errors[n - 1]!,
    p99Cm: errors[Math.floor(0.99 * (n - 1))]!,
  };
}

/** Fills background texels near charts with the mean of their filled 8-neighbours, `passes` rings deep. */
function dilate(map: Float32Array, ids: Int32Array, size: number, C: number, passes: number): void {
  let filled = Uint8Array.from(ids, (id) => (id > 0 ? 1 : 0));
  for (let pass = 0; pass < passes; pass++) {
    const next = filled.slice();
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const idx = y * size + x;
        if (filled[idx]) continue;
        let n = 0;
        const acc = [0, 0, 0, 0];
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= size) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= size || !filled[yy * size + xx]) continue;
            for (let c = 0; c < C; c++) acc[c]! += map[(yy * size + xx) * C + c]!;
            n++;
          }
        }
        if (n === 0) continue;
        for (let c = 0; c < C; c++) map[idx * C + c] = acc[c]! / n;
        next[idx] = 1;
      }
    }
    filled = next;
  }
}
