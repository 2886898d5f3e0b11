/**
 * rasterize(mesh, camera, width, height) → Raster
 *
 * Inputs: `mesh.positions` Float32Array [V*3] (world), `mesh.triangles` Uint32Array [T*3];
 * `camera.viewProjection` column-major Mat4. Output (all `[H*W]` row-major, row 0 = top):
 * `triangleId` Int32Array (triangle index + 1, 0 = background), `bary` Float32Array [H*W*2]
 * perspective-correct (b1, b2) of the visible triangle, `depth` Float32Array NDC z (+∞ on
 * background), plus `clip` Float64Array [V*4] (clip-space vertices, kept for the adjoint).
 *
 * Sampling: one sample per pixel at its centre, NDC x = (col + 0.5)/W·2 − 1, NDC y =
 * 1 − (row + 0.5)/H·2 (WebGL's convention with the image flipped to top-down). Both faces
 * are drawn (no culling); nearest depth wins. Triangles with a vertex at or behind the
 * camera plane (clip w ≤ 1e-6) are dropped — there is no near-plane clipping.
 *
 * Two passes: a coverage/depth pass writing only triangle ids (overdrawn pixels cost one
 * depth compare), then a resolve pass computing barycentrics once per visible pixel
 * directly in clip space, which is also the form the adjoint differentiates.
 *
 * Adjoint: `rasterizeBackward` maps dL/dbary to dL/dpositions for fixed coverage. No
 * silhouette (visibility / antialias) gradients are produced: moving a triangle edge
 * across a pixel centre is a discontinuity this renderer does not differentiate.
 */
import type { Camera, Mat4, RasterBuffer, TriangleMesh } from "./types.js";
import { rasterizeBackwardClipWasm, resolveWasm } from "./wasm/clip-kernel.js";

export interface Raster extends RasterBuffer {
  /** Clip-space vertex positions (x, y, z, w) `[V*4]`. */
  readonly clip: Float64Array;
  readonly viewProjection: Mat4;
}

export const MAX_RESOLUTION = 4096;

/** Transforms positions [V*3] by a column-major Mat4 into clip space [V*4]. */
export function toClip(positions: Float32Array, m: Mat4, out: Float64Array = new Float64Array((positions.length / 3) * 4)): Float64Array {
  const n = positions.length / 3;
  const m0 = m[0]!, m1 = m[1]!, m3 = m[3]!, m4 = m[4]!, m5 = m[5]!, m7 = m[7]!;
  const m8 = m[8]!, m9 = m[9]!, m11 = m[11]!, m12 = m[12]!, m13 = m[13]!, m15 = m[15]!;
  const m2 = m[2]!, m6 = m[6]!, m10 = m[10]!, m14 = m[14]!;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i]!, y = positions[3 * i + 1]!, z = positions[3 * i + 2]!;
    out[4 * i] = m0 * x + m4 * y + m8 * z + m12;
    out[4 * i + 1] = m1 * x + m5 * y + m9 * z + m13;
    out[4 * i + 2] = m2 * x + m6 * y + m10 * z + m14;
    out[4 * i + 3] = m3 * x + m7 * y + m11 * z + m15;
  }
  return out;
}

export function checkMesh(mesh: TriangleMesh): number {
  const { positions, triangles } = mesh;
  if (positions.length % 3 !== 0) throw new Error(`positions length ${positions.length} is not a multiple of 3`);
  if (triangles.length % 3 !== 0) throw new Error(`triangles length ${triangles.length} is not a multiple of 3`);
  const v = positions.length / 3;
  for (let i = 0; i < triangles.length; i++)
    if (triangles[i]! >= v) throw new Error(`triangle ${Math.floor(i / 3)} references vertex ${triangles[i]} but the mesh has ${v} vertices`);
  return v;
}

export function checkSize(width: number, height: number): void {
  for (const [name, s] of [["width", width], ["height", height]] as const)
    if (!Number.isInteger(s) || s < 1 || s > MAX_RESOLUTION) throw new Error(`rasterize: ${name} must be an integer in 1…${MAX_RESOLUTION}, got ${s}`);
}

export function rasterize(mesh: TriangleMesh, camera: Camera, width: number, height: number): Raster {
  checkSize(width, height);
  checkMesh(mesh);
  const clip = toClip(mesh.positions, camera.viewProjection);
  const triangleId = new Int32Array(width * height);
  const depth = new Float32Array(width * height);
  const bary = new Float32Array(width * height * 2);
  rasterizeRows(clip, screenCoords(clip, width, height), mesh.triangles, width, 0, height, triangleId, depth, bary);
  return { width, height, triangleId, bary, depth, clip, viewProjection: camera.viewProjection };
}

/**
 * Screen coordinates per vertex `[V*3]` (x right, y down, pixel centres at integer + 0.5, NDC
 * z; NaN marks a vertex at or behind the camera plane), once per frame: a vertex is shared by
 * ~6 triangles, so this saves two thirds of the perspective divisions of per-triangle setup.
 */
export function screenCoords(clip: Float64Array, W: number, H: number, scr: Float64Array = new Float64Array((clip.length / 4) * 3)): Float64Array {
  const hw = W / 2, hh = H / 2;
  const V = clip.length / 4;
  for (let v = 0; v < V; v++) {
    const w = clip[4 * v + 3]!;
    if (w <= 1e-6) { scr[3 * v] = NaN; continue; }
    scr[3 * v] = (clip[4 * v]! / w + 1) * hw;
    scr[3 * v + 1] = (1 - clip[4 * v + 1]! / w) * hh;
    scr[3 * v + 2] = clip[4 * v + 2]! / w;
  }
  return scr;
}

/**
 * Rows y0…y1 of a frame (a band, see bands.ts; rasterize() passes all rows): clears them, then
 * runs both passes there. Each pixel's result does not depend on the banding (triangles are
 * visited in the same order), so any split gives the same bytes.
 */
export function rasterizeRows(clip: Float64Array, scr: Float64Array, tris: Uint32Array, W: number, y0: number, y1: number, ids: Int32Array, depth: Float32Array, bary: Float32Array, triRows: Int32Array | null = null): void {
  ids.fill(0, y0 * W, y1 * W);
  depth.fill(Infinity, y0 * W, y1 * W);
  bary.fill(0, y0 * W * 2, y1 * W * 2);
  coverage(scr, tris, W, y0, y1, ids, depth, triRows ?? NO_ROWS, triRows !== null);
  resolve(clip, tris, W, ids.length / W, y0, y1, ids, bary);
}

const NO_ROWS = new Int32Array(0);

/**
 * The pixel rows [first, last] each triangle's bounding box covers (`[T*2]`; first > last when
 * none or the triangle is dropped), with coverage()'s own arithmetic: once per frame, so each
 * band of a split frame skips the triangles outside its rows with two integer reads instead
 * of loading three vertices (with B bands every band would otherwise visit every triangle).
 */
export function triangleRows(scr: Float64Array, tris: Uint32Array, H: number, out: Int32Array = new Int32Array((tris.length / 3) * 2)): Int32Array {
  const T = tris.length / 3;
  for (let t = 0; t < T; t++) {
    const i0 = 3 * tris[3 * t]!, i1 = 3 * tris[3 * t + 1]!, i2 = 3 * tris[3 * t + 2]!;
    const y0 = scr[i0 + 1]!, y1 = scr[i1 + 1]!, y2 = scr[i2 + 1]!;
    const loy = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
    const hiy = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
    // NaN (a vertex behind the camera) or absurd extents: coverage() drops these.
    if (!(scr[i0]! === scr[i0]! && scr[i1]! === scr[i1]! && scr[i2]! === scr[i2]! && hiy - loy < 1e9)) { out[2 * t] = 1; out[2 * t + 1] = 0; continue; }
    let ymin = Math.ceil(loy - 0.5), ymax = Math.floor(hiy - 0.5);
    if (ymin < 0) ymin = 0;
    if (ymax > H - 1) ymax = H - 1;
    out[2 * t] = ymin; out[2 * t + 1] = ymax;
  }
  return out;
}

/** Pass 1: screen-space edge functions per triangle bounding box (clipped to rows y0…y1), depth test, id write. */
function coverage(scr: Float64Array, tris: Uint32Array, W: number, yLo: number, yHi: number, ids: Int32Array, depth: Float32Array, triRows: Int32Array, binned: boolean): void {
  const T = tris.length / 3;
  for (let t = 0; t < T; t++) {
    if (binned && (triRows[2 * t + 1]! < yLo || triRows[2 * t]! >= yHi)) continue;
    const i0 = 3 * tris[3 * t]!, i1 = 3 * tris[3 * t + 1]!, i2 = 3 * tris[3 * t + 2]!;
    const x0 = scr[i0]!, x1 = scr[i1]!, x2 = scr[i2]!;
    // Drops triangles with a vertex behind the camera plane (NaN fails every comparison).
    if (!(x0 === x0 && x1 === x1 && x2 === x2)) continue;
    const y0 = scr[i0 + 1]!, z0 = scr[i0 + 2]!;
    const y1 = scr[i1 + 1]!, z1 = scr[i1 + 2]!;
    const y2 = scr[i2 + 1]!, z2 = scr[i2 + 2]!;
    if (z0 > 1 && z1 > 1 && z2 > 1) continue;
    // Ternaries instead of Math.min/max(…3 args): this setup runs once per triangle and
    // triangles cover only a few pixels each at 512².
    const lox = x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2;
    const hix = x0 > x1 ? (x0 > x2 ? x0 : x2) : x1 > x2 ? x1 : x2;
    const loy = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
    const hiy = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
    if (!(hix - lox < 1e9 && hiy - loy < 1e9)) continue; // NaN or absurd extents
    let xmin = Math.ceil(lox - 0.5), xmax = Math.floor(hix - 0.5);
    let ymin = Math.ceil(loy - 0.5), ymax = Math.floor(hiy - 0.5);
    if (xmin < 0) xmin = 0;
    if (ymin < yLo) ymin = yLo;
    if (xmax > W - 1) xmax = W - 1;
    if (ymax > yHi - 1) ymax = yHi - 1;
    // Most triangles at 512² are a few pixels; many cover no pixel centre at all and are
    // rejected here before any edge setup.
    if (xmin > xmax || ymin > ymax) continue;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (area === 0 || !Number.isFinite(area)) continue;
    const inv = 1 / area;
    // λk(p) = ak·px + bk·py + ck, normalised so λ0 + λ1 + λ2 = 1 (orientation-free).
    const a0 = (y1 - y2) * inv, b0 = (x2 - x1) * inv, c0 = (x1 * y2 - x2 * y1) * inv;
    const a1 = (y2 - y0) * inv, b1 = (x0 - x2) * inv, c1 = (x2 * y0 - x0 * y2) * inv;
    const a2 = (y0 - y1) * inv, b2 = (x1 - x0) * inv, c2 = (x0 * y1 - x1 * y0) * inv;
    const za = a0 * z0 + a1 * z1 + a2 * z2, zb = b0 * z0 + b1 * z1 + b2 * z2, zc = c0 * z0 + c1 * z1 + c2 * z2;
    const id = t + 1;
    const px0 = xmin + 0.5;
    for (let y = ymin; y <= ymax; y++) {
      const py = y + 0.5;
      let l0 = a0 * px0 + b0 * py + c0;
      let l1 = a1 * px0 + b1 * py + c1;
      let l2 = a2 * px0 + b2 * py + c2;
      let z = za * px0 + zb * py + zc;
      let idx = y * W + xmin;
      let entered = false;
      for (let x = xmin; x <= xmax; x++, idx++) {
        if (l0 >= 0 && l1 >= 0 && l2 >= 0) {
          entered = true;
          if (z < depth[idx]! && z >= -1 && z <= 1) {
            depth[idx] = z;
            ids[idx] = id;
          }
        } else if (entered) break; // convex: the span on this row has ended
        l0 += a0; l1 += a1; l2 += a2; z += za;
      }
    }
  }
}

/**
 * Pass 2: perspective-correct barycentrics of each visible pixel, solved in clip space:
 * with qk = (xk − px·wk, yk − py·wk), b are the 2D barycentrics of the origin in (q0, q1, q2).
 */
function resolve(clip: Float64Array, tris: Uint32Array, W: number, H: number, yLo: number, yHi: number, ids: Int32Array, bary: Float32Array): void {
  if (resolveWasm(clip, tris, W, ids, bary, yLo, yHi)) return; // the SIMD kernel (same bytes) in a WasmArena
  for (let y = yLo; y < yHi; y++) {
    const py = 1 - ((y + 0.5) / H) * 2;
    for (let x = 0; x < W; x++) {
      const idx = y * W + x;
      const id = ids[idx]!;
      if (id === 0) continue;
      const px = ((x + 0.5) / W) * 2 - 1;
      const t = id - 1;
      const i0 = 4 * tris[3 * t]!, i1 = 4 * tris[3 * t + 1]!, i2 = 4 * tris[3 * t + 2]!;
      const q0x = clip[i0]! - px * clip[i0 + 3]!, q0y = clip[i0 + 1]! - py * clip[i0 + 3]!;
      const q1x = clip[i1]! - px * clip[i1 + 3]!, q1y = clip[i1 + 1]! - py * clip[i1 + 3]!;
      const q2x = clip[i2]! - px * clip[i2 + 3]!, q2y = clip[i2 + 1]! - py * clip[i2 + 3]!;
      const c0 = q1x * q2y - q1y * q2x;
      const c1 = q2x * q0y - q2y * q0x;
      const c2 = q0x * q1y - q0y * q1x;
      const inv = 1 / (c0 + c1 + c2);
      bary[2 * idx] = c1 * inv;
      bary[2 * idx + 1] = c2 * inv;
    }
  }
}

/**
 * Adjoint of the barycentrics for fixed coverage: dL/dbary `[H*W*2]` (w.r.t. the stored
 * (b1, b2)) → dL/dpositions `[V*3]`, accumulated into `out` (zeroed if not given).
 */
export function rasterizeBackward(raster: Raster, mesh: TriangleMesh, gradBary: Float32Array, out: Float32Array = new Float32Array(mesh.positions.length)): Float32Array {
  const gClip = new Float64Array(raster.clip.length);
  rasterizeBackwardClip(raster.triangleId, raster.width, raster.clip, mesh.triangles, gradBary, gClip, 0, raster.height);
  return clipToPositionsBackward(gClip, raster.viewProjection, out);
}

/** dL/dbary → dL/dclip `[V*4]` (accumulated into gClip) for the pixels of rows y0…y1. */
export function rasterizeBackwardClip(ids: Int32Array, W: number, clip: Float64Array, tris: Uint32Array, gradBary: Float32Array, gClip: Float64Array, y0: number, y1: number): void {
  if (rasterizeBackwardClipWasm(ids, W, clip, tris, gradBary, gClip, y0, y1)) return; // the SIMD kernel (same bytes) in a WasmArena
  const H = ids.length / W;
  for (let y = y0; y < y1; y++) {
    const py = 1 - ((y + 0.5) / H) * 2;
    for (let x = 0; x < W; x++) {
      const idx = y * W + x;
      const id = ids[idx]!;
      if (id === 0) continue;
      const g1 = gradBary[2 * idx]!, g2 = gradBary[2 * idx + 1]!;
      if (g1 === 0 && g2 === 0) continue;
      // The same clip-space set-up as resolve(), kept inline: it runs once per covered pixel
      // and a shared helper would have to return seven values (an allocation or scratch array).
      const px = ((x + 0.5) / W) * 2 - 1;
      const t = id - 1;
      const i0 = 4 * tris[3 * t]!, i1 = 4 * tris[3 * t + 1]!, i2 = 4 * tris[3 * t + 2]!;
      const q0x = clip[i0]! - px * clip[i0 + 3]!, q0y = clip[i0 + 1]! - py * clip[i0 + 3]!;
      const q1x = clip[i1]! - px * clip[i1 + 3]!, q1y = clip[i1 + 1]! - py * clip[i1 + 3]!;
      const q2x = clip[i2]! - px * clip[i2 + 3]!, q2y = clip[i2 + 1]! - py * clip[i2 + 3]!;
      const c0 = q1x * q2y - q1y * q2x;
      const c1 = q2x * q0y - q2y * q0x;
      const c2 = q0x * q1y - q0y * q1x;
      const inv = 1 / (c0 + c1 + c2);
      // b1 = c1/D, b2 = c2/D: dL/dck = gk/D − (g1·c1 + g2·c2)/D² (g0 = 0).
      const s = (g1 * c1 + g2 * c2) * inv * inv;
      const gc0 = -s, gc1 = g1 * inv - s, gc2 = g2 * inv - s;
      // c0 = q1×q2, c1 = q2×q0, c2 = q0×q1 with a×b = ax·by − ay·bx.
      const gq0x = gc1 * -q2y + gc2 * q1y, gq0y = gc1 * q2x - gc2 * q1x;
      const gq1x = gc0 * q2y - gc2 * q0y, gq1y = -gc0 * q2x + gc2 * q0x;
      const gq2x = -gc0 * q1y + gc1 * q0y, gq2y = gc0 * q1x - gc1 * q0x;
      gClip[i0] += gq0x; gClip[i0 + 1] += gq0y; gClip[i0 + 3] -= px * gq0x + py * gq0y;
      gClip[i1] += gq1x; gClip[i1 + 1] += gq1y; gClip[i1 + 3] -= px * gq1x + py * gq1y;
      gClip[i2] += gq2x; gClip[i2 + 1] += gq2y; gClip[i2 + 3] -= px * gq2x + py * gq2y;
    }
  }
}

/** clip = M·[p, 1] ⇒ dL/dp = Mᵀ·dL/dclip (first three columns), accumulated into out `[V*3]`. */
export function clipToPositionsBackward(gClip: Float64Array, m: Mat4, out: Float32Array): Float32Array {
  const V = gClip.length / 4;
  for (let i = 0; i < V; i++) {
    const gx = gClip[4 * i]!, gy = gClip[4 * i + 1]!, gz = gClip[4 * i + 2]!, gw = gClip[4 * i + 3]!;
    if (gx === 0 && gy === 0 && gw === 0 && gz === 0) continue;
    out[3 * i] += m[0]! * gx + m[1]! * gy + m[2]! * gz + m[3]! * gw;
    out[3 * i + 1] += m[4]! * gx + m[5]! * gy + m[6]! * gz + m[7]! * gw;
    out[3 * i + 2] += m[8]! * gx + m[9]! * gy + m[10]! * gz + m[11]! * gw;
  }
  return out;
}
