/**
 * Texture-space rasterization: geometry maps (positions or normals baked into UV space, as
 * the animation stage's U-Net consumes) and the way back from a map to the vertices.
 *
 * rasterizeUV(mesh, size) → Raster: triangles drawn at their UVs into a size×size grid
 * (texel (i, j) centre = ((i + 0.5)/size, 1 − (j + 0.5)/size), row 0 = v near 1, the same
 * texel convention as sampleTexture); `triangleId` / `bary` as for rasterize. Where UV
 * islands overlap the earlier triangle wins.
 *
 * uvMap(mesh, attr, channels, size) → { map [size*size*C], mask Uint8Array [size*size],
 * raster }: per-vertex attribute `attr` [S*C] interpolated over UV space; empty texels 0.
 * Adjoint: uvMapBackward (dL/dmap → dL/dattr [S*C]).
 *
 * sampleToVertices(map, size, channels, uv) → [S*C]: bilinear lookup of a map at each
 * vertex's UV (clamped). Adjoint: sampleToVerticesBackward (dL/dvalues → dL/dmap).
 *
 * `rect` [u0, v0, u1, v1] (default [0, 0, 1, 1]) picks the UV window mapped onto the grid:
 * ICT's UVs span two tiles (the face in [0, 1]², head, neck and sockets in [1, 2]×[0, 1]).
 *
 * dilate(map, mask, size, C, rings): fills empty texels next to covered ones with the mean
 * of their covered neighbours, so bilinear lookups at island borders don't mix in zeros.
 * No gradient (use it on maps you don't differentiate, or differentiate before dilating).
 */
import type { Mat4, TriangleMesh } from "./types.js";
import { rasterize, type Raster } from "./rasterize.js";
import { interpolate, interpolateBackward } from "./interpolate.js";
import { sampleTexture, sampleTextureBackward } from "./texture.js";

const IDENTITY: Mat4 = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

export interface UvMesh {
  uv: Float32Array;
  triangles: Uint32Array;
}

export type UvRect = readonly [number, number, number, number];
const UNIT: UvRect = [0, 0, 1, 1];

/** UVs re-expressed in the window's own [0, 1]² coordinates. */
export function toRect(uv: Float32Array, rect: UvRect = UNIT): Float32Array {
  if (rect === UNIT) return uv;
  const [u0, v0, u1, v1] = rect;
  if (!(u1 > u0 && v1 > v0)) throw new Error(`uv rect must have u1 > u0 and v1 > v0, got ${rect.join(", ")}`);
  const out = new Float32Array(uv.length);
  for (let i = 0; i < uv.length; i += 2) {
    out[i] = (uv[i]! - u0) / (u1 - u0);
    out[i + 1] = (uv[i + 1]! - v0) / (v1 - v0);
  }
  return out;
}

export function rasterizeUV(mesh: UvMesh, size: number, rect: UvRect = UNIT): Raster {
  const S = mesh.uv.length / 2;
  const uv = toRect(mesh.uv, rect);
  const positions = new Float32Array(S * 3);
  for (let s = 0; s < S; s++) {
    positions[3 * s] = uv[2 * s]! * 2 - 1;
    positions[3 * s + 1] = uv[2 * s + 1]! * 2 - 1;
  }
  const flat: TriangleMesh = { positions, triangles: mesh.triangles };
  return rasterize(flat, { viewProjection: IDENTITY, view: IDENTITY, eye: [0, 0, 1] }, size, size);
}

export interface UvMap {
  map: Float32Array;
  mask: Uint8Array;
  raster: Raster;
}

export function uvMap(mesh: UvMesh, attr: Float32Array, channels: number, size: number, raster: Raster = rasterizeUV(mesh, size)): UvMap {
  if (raster.width !== size) throw new Error(`uvMap: raster is ${raster.width}² but size is ${size}`);
  const S = mesh.uv.length / 2;
  if (attr.length !== S * channels) throw new Error(`uvMap: attribute has ${attr.length} values, expected ${S}×${channels}`);
  const map = interpolate(raster, mesh, attr, channels);
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < mask.length; i++) mask[i] = raster.triangleId[i] !== 0 ? 1 : 0;
  return { map, mask, raster };
}

export function uvMapBackward(mesh: UvMesh, raster: Raster, attr: Float32Array, channels: number, gradMap: Float32Array): Float32Array {
  return interpolateBackward(raster, mesh, attr, channels, gradMap).attr;
}

export function sampleToVertices(map: Float32Array, size: number, channels: number, uv: Float32Array, rect: UvRect = UNIT): Float32Array {
  return sampleTexture(toRect(uv, rect), null, map, size, size, channels, { wrap: "clamp" });
}

export function sampleToVerticesBackward(map: Float32Array, size: number, channels: number, uv: Float32Array, gradValues: Float32Array, rect: UvRect = UNIT): Float32Array {
  return sampleTextureBackward(toRect(uv, rect), null, map, size, size, channels, gradValues, { wrap: "clamp" }).texture;
}

export function dilate(map: Float32Array, mask: Uint8Array, size: number, C: number, rings = 2): { map: Float32Array; mask: Uint8Array } {
  let m = map.slice();
  let k = mask.slice();
  for (let r = 0; r < rings; r++) {
    const nm = m.slice();
    const nk = k.slice();
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const i = y * size + x;
        if (k[i]) continue;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx, yy = y + dy;
            if ((dx === 0 && dy === 0) || xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
            const j = yy * size + xx;
            if (!k[j]) continue;
            for (let c = 0; c < C; c++) nm[i * C + c] = (n === 0 ? 0 : nm[i * C + c]!) + m[j * C + c]!;
            n++;
          }
        if (n > 0) {
          for (let c = 0; c < C; c++) nm[i * C + c]! /= n;
          nk[i] = 1;
        }
      }
    m = nm;
    k = nk;
  }
  return { map: m, mask: k };
}
