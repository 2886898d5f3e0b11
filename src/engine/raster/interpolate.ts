/**
 * interpolate(raster, mesh, attr, channels) → Float32Array [H*W*C]
 *
 * Perspective-correct interpolation of a per-vertex attribute `attr` `[V*C]` (C any ≥ 1)
 * with the raster's barycentrics; background pixels get 0. `mesh.triangles` must be the
 * triangles the raster was made from.
 *
 * interpolateBackward: dL/dout `[H*W*C]` → dL/dattr `[V*C]` and dL/dbary `[H*W*2]`
 * (each accumulated into the optional output arrays, so several attributes can share one
 * dL/dbary before rasterizeBackward). interpolateBackwardBary: the dL/dbary part alone (the
 * same bytes), for attributes whose own gradient nobody reads (uv).
 */
import type { RasterBuffer, TriangleMesh } from "./types.js";
import { interpolateBackwardBaryWasm } from "./wasm/interp-kernel.js";

export function interpolate(raster: RasterBuffer, mesh: Pick<TriangleMesh, "triangles">, attr: Float32Array, channels: number, out?: Float32Array): Float32Array {
  const { width: W, height: H, triangleId: ids, bary } = raster;
  const C = channels;
  if (!Number.isInteger(C) || C < 1) throw new Error(`interpolate: channels must be a positive integer, got ${C}`);
  if (attr.length % C !== 0) throw new Error(`interpolate: attribute length ${attr.length} is not a multiple of ${C} channels`);
  const o = out ?? new Float32Array(W * H * C);
  if (out) o.fill(0);
  const tris = mesh.triangles;
  for (let idx = 0; idx < W * H; idx++) {
    const id = ids[idx]!;
    if (id === 0) continue;
    const t = id - 1;
    const b1 = bary[2 * idx]!, b2 = bary[2 * idx + 1]!, b0 = 1 - b1 - b2;
    const v0 = tris[3 * t]! * C, v1 = tris[3 * t + 1]! * C, v2 = tris[3 * t + 2]! * C;
    const base = idx * C;
    // Unrolled for the common widths (uv, xyz): the generic loop is ~2× slower at 512².
    if (C === 3) {
      o[base] = b0 * attr[v0]! + b1 * attr[v1]! + b2 * attr[v2]!;
      o[base + 1] = b0 * attr[v0 + 1]! + b1 * attr[v1 + 1]! + b2 * attr[v2 + 1]!;
      o[base + 2] = b0 * attr[v0 + 2]! + b1 * attr[v1 + 2]! + b2 * attr[v2 + 2]!;
    } else if (C === 2) {
      o[base] = b0 * attr[v0]! + b1 * attr[v1]! + b2 * attr[v2]!;
      o[base + 1] = b0 * attr[v0 + 1]! + b1 * attr[v1 + 1]! + b2 * attr[v2 + 1]!;
    } else for (let c = 0; c < C; c++) o[base + c] = b0 * attr[v0 + c]! + b1 * attr[v1 + c]! + b2 * attr[v2 + c]!;
  }
  return o;
}

export interface InterpolateGrads {
  attr: Float32Array;
  bary: Float32Array;
}

export function interpolateBackward(
  raster: RasterBuffer,
  mesh: Pick<TriangleMesh, "triangles">,
  attr: Float32Array,
  channels: number,
  gradOut: Float32Array,
  acc: Partial<InterpolateGrads> = {},
  p0 = 0,
  p1 = raster.width * raster.height,
): InterpolateGrads {
  const { width: W, height: H, triangleId: ids, bary } = raster;
  const C = channels;
  const gAttr = acc.attr ?? new Float32Array(attr.length);
  const gBary = acc.bary ?? new Float32Array(W * H * 2);
  const tris = mesh.triangles;
  for (let idx = p0; idx < p1; idx++) {
    const id = ids[idx]!;
    if (id === 0) continue;
    const t = id - 1;
    const b1 = bary[2 * idx]!, b2 = bary[2 * idx + 1]!, b0 = 1 - b1 - b2;
    const v0 = tris[3 * t]! * C, v1 = tris[3 * t + 1]! * C, v2 = tris[3 * t + 2]! * C;
    const base = idx * C;
    let gb1 = 0, gb2 = 0;
    if (C === 3) {
      // Unrolled like the forward (xyz attributes: normals, tangents, bitangents).
      const g0 = gradOut[base]!, g1 = gradOut[base + 1]!, g2 = gradOut[base + 2]!;
      if (g0 === 0 && g1 === 0 && g2 === 0) continue;
      gAttr[v0] += b0 * g0; gAttr[v1] += b1 * g0; gAttr[v2] += b2 * g0;
      gAttr[v0 + 1] += b0 * g1; gAttr[v1 + 1] += b1 * g1; gAttr[v2 + 1] += b2 * g1;
      gAttr[v0 + 2] += b0 * g2; gAttr[v1 + 2] += b1 * g2; gAttr[v2 + 2] += b2 * g2;
      const a0 = attr[v0]!, a1 = attr[v0 + 1]!, a2 = attr[v0 + 2]!;
      gb1 = g0 * (attr[v1]! - a0) + g1 * (attr[v1 + 1]! - a1) + g2 * (attr[v1 + 2]! - a2);
      gb2 = g0 * (attr[v2]! - a0) + g1 * (attr[v2 + 1]! - a1) + g2 * (attr[v2 + 2]! - a2);
      gBary[2 * idx] += gb1;
      gBary[2 * idx + 1] += gb2;
      continue;
    }
    for (let c = 0; c < C; c++) {
      const g = gradOut[base + c]!;
      if (g === 0) continue;
      const a0 = attr[v0 + c]!;
      gAttr[v0 + c] += b0 * g;
      gAttr[v1 + c] += b1 * g;
      gAttr[v2 + c] += b2 * g;
      gb1 += g * (attr[v1 + c]! - a0);
      gb2 += g * (attr[v2 + c]! - a0);
    }
    gBary[2 * idx] += gb1;
    gBary[2 * idx + 1] += gb2;
  }
  return { attr: gAttr, bary: gBary };
}

/**
 * interpolateBackward's dL/dbary alone, accumulated into gBary `[H*W*2]` for pixels p0…p1 (its
 * bytes equal interpolateBackward's gBary): the adjoint's uv term, whose dL/duv-vertex is not
 * used, skips the attribute scatter. C ≠ 3 (interpolateBackward's unrolled C = 3 loop sums in
 * another order).
 */
export function interpolateBackwardBary(ids: Int32Array, tris: Uint32Array, attr: Float32Array, C: number, gradOut: Float32Array, gBary: Float32Array, p0: number, p1: number): void {
  if (C === 3) throw new Error("interpolateBackwardBary: C = 3 is interpolateBackward's (unrolled) loop");
  if (interpolateBackwardBaryWasm(ids, tris, attr, C, gradOut, gBary, p0, p1)) return; // the SIMD kernel (same bytes) in a WasmArena
  for (let idx = p0; idx < p1; idx++) {
    const id = ids[idx]!;
    if (id === 0) continue;
    const t = id - 1;
    const v0 = tris[3 * t]! * C, v1 = tris[3 * t + 1]! * C, v2 = tris[3 * t + 2]! * C;
    const base = idx * C;
    let gb1 = 0, gb2 = 0;
    for (let c = 0; c < C; c++) {
      const g = gradOut[base + c]!;
      if (g === 0) continue;
      const a0 = attr[v0 + c]!;
      gb1 += g * (attr[v1 + c]! - a0);
      gb2 += g * (attr[v2 + c]! - a0);
    }
    gBary[2 * idx] += gb1;
    gBary[2 * idx + 1] += gb2;
  }
}
