/**
 * normalChainBackward: the adjoint of the shading-normal chain of render() in one pass over
 * the covered pixels. For dL/dn (the shading normals) it rebuilds the normal frame (geometric
 * normal, tangent, bitangent, sampled normal map) and applies, per pixel, what renderBackward
 * otherwise runs as separate whole-image passes: shadingNormalsBackward → sampleTextureBackward
 * of the normal map (dL/dmap, dL/duv) → interpolateBackward of the vertex normals, tangents and
 * bitangents (dL/dattr, dL/dbary). Same formulas and float32 rounding points as those ops,
 * accumulated in the same order, so results match them up to rounding (reciprocals replace
 * divisions); it avoids
 * seven [H*W*3] intermediates and their passes (the carving stage's hot path).
 */
import type { RasterBuffer, Texture } from "./types.js";

export interface NormalChainInputs {
  raster: RasterBuffer;
  triangles: Uint32Array;
  /** dL/dn `[H*W*3]`. */
  gradN: Float32Array;
  /** Per render vertex `[S*3]`: normals, tangent xyz and bitangents (the last two with a map). */
  vertexNormals: Float32Array;
  tangents: Float32Array | null;
  bitangents: Float32Array | null;
  uvImg: Float32Array | null;
  normalMap: Texture | null;
  /** Produce dL/dnormalMap. */
  wantMap: boolean;
  /** Produce dL/dattr and accumulate dL/dbary (and dL/duv from the map's slope). */
  wantPos: boolean;
  gBary: Float32Array | null;
  gUv: Float32Array | null;
  /** Pixels p0…p1 only (a band of rows; default all). */
  p0?: number;
  p1?: number;
  /**
   * The normal frame the forward kept (fused.ts, `keepNormalFrame`) `[H*W*FRAME]`: per pixel the
   * unit geometric normal, 1/|interpolated normal|, tangent, bitangent and the sampled map
   * value, so this pass reads them instead of interpolating and sampling again.
   */
  frame?: Float32Array | null;
  /** Accumulate into these instead of fresh arrays (per-band buffers, bands.ts). */
  acc?: { normalMap: Float32Array | null; vertexNormals: Float32Array; bitangents: Float32Array };
}

export interface NormalChainGrads {
  normalMap: Float32Array | null;
  /** dL/d(vertex normals) `[S*3]`, through the geometric normal only (add the bitangent part). */
  vertexNormals: Float32Array;
  /** dL/d(bitangents) `[S*3]` (zeros without a map). */
  bitangents: Float32Array;
}

const fround = Math.fround;

/** Floats per pixel in a kept normal frame (see NormalChainInputs.frame). */
export const FRAME = 13;

export function normalChainBackward(x: NormalChainInputs): NormalChainGrads {
  const { raster, triangles: tris, gradN, vertexNormals: vn, uvImg, normalMap, wantMap, wantPos } = x;
  const W = raster.width, H = raster.height, N = W * H;
  const ids = raster.triangleId, bary = raster.bary;
  const nm = normalMap !== null;
  if (nm && (!x.tangents || !x.bitangents || !uvImg)) throw new Error("normalChainBackward: a normal map needs tangents, bitangents and uv");
  const vt = x.tangents ?? vn, vb = x.bitangents ?? vn;
  const uvs = uvImg ?? new Float32Array(0);
  const gVn = x.acc ? x.acc.vertexNormals : new Float32Array(vn.length);
  const gVb = x.acc ? x.acc.bitangents : new Float32Array(vn.length);
  const gMap = nm && wantMap ? (x.acc ? x.acc.normalMap! : new Float32Array(normalMap.data.length)) : null;
  const gBary = x.gBary, gUv = x.gUv;
  const tex = nm ? normalMap.data : vn, tw = nm ? normalMap.width : 1, th = nm ? normalMap.height : 1;
  const repeat = nm && normalMap.wrap === "repeat";
  const fr = x.frame ?? EMPTY, kept = x.frame != null;
  for (let p = x.p0 ?? 0, p1 = x.p1 ?? N; p < p1; p++) {
    const id = ids[p]!;
    if (id === 0) continue;
    const q = 3 * p;
    let hx = gradN[q]!, hy = gradN[q + 1]!, hz = gradN[q + 2]!;
    if (hx === 0 && hy === 0 && hz === 0) continue;
    const t = id - 1;
    const b1 = bary[2 * p]!, b2 = bary[2 * p + 1]!, b0 = 1 - b1 - b2;
    const j0 = 3 * tris[3 * t]!, j1 = 3 * tris[3 * t + 1]!, j2 = 3 * tris[3 * t + 2]!;
    const o = FRAME * p;
    let gx: number, gy: number, gz: number, igl: number;
    if (kept) {
      gx = fr[o]!; gy = fr[o + 1]!; gz = fr[o + 2]!; igl = fr[o + 3]!;
    } else {
      const rx = fround(b0 * vn[j0]! + b1 * vn[j1]! + b2 * vn[j2]!);
      const ry = fround(b0 * vn[j0 + 1]! + b1 * vn[j1 + 1]! + b2 * vn[j2 + 1]!);
      const rz = fround(b0 * vn[j0 + 2]! + b1 * vn[j1 + 2]! + b2 * vn[j2 + 2]!);
      const gl = Math.sqrt(rx * rx + ry * ry + rz * rz) || 1;
      // Reciprocals: one division instead of three (differs from the ops in the last bit only).
      igl = 1 / gl;
      gx = rx * igl; gy = ry * igl; gz = rz * igl;
    }
    let gTx = 0, gTy = 0, gTz = 0, gBx = 0, gBy = 0, gBz = 0;
    if (nm) {
      let Tx: number, Ty: number, Tz: number, Bx: number, By: number, Bz: number;
      if (kept) {
        Tx = fr[o + 4]!; Ty = fr[o + 5]!; Tz = fr[o + 6]!; Bx = fr[o + 7]!; By = fr[o + 8]!; Bz = fr[o + 9]!;
      } else {
        Tx = fround(b0 * vt[j0]! + b1 * vt[j1]! + b2 * vt[j2]!);
        Ty = fround(b0 * vt[j0 + 1]! + b1 * vt[j1 + 1]! + b2 * vt[j2 + 1]!);
        Tz = fround(b0 * vt[j0 + 2]! + b1 * vt[j1 + 2]! + b2 * vt[j2 + 2]!);
        Bx = fround(b0 * vb[j0]! + b1 * vb[j1]! + b2 * vb[j2]!);
        By = fround(b0 * vb[j0 + 1]! + b1 * vb[j1 + 1]! + b2 * vb[j2 + 1]!);
        Bz = fround(b0 * vb[j0 + 2]! + b1 * vb[j1 + 2]! + b2 * vb[j2 + 2]!);
      }
      // Bilinear taps of the normal map (sampleTexture's conventions), inline as in fused.ts
      // (where a call cost ~20 %); the taps and weights serve both the lookup and its adjoint.
      const fxr = uvs[2 * p]! * tw - 0.5, fyr = (1 - uvs[2 * p + 1]!) * th - 0.5;
      const flx = Math.floor(fxr), fly = Math.floor(fyr);
      const fx = fxr - flx, fy = fyr - fly;
      let x0 = flx, x1 = flx + 1, y0 = fly, y1 = fly + 1;
      if (repeat) {
        x0 = ((x0 % tw) + tw) % tw; x1 = ((x1 % tw) + tw) % tw;
        y0 = ((y0 % th) + th) % th; y1 = ((y1 % th) + th) % th;
      } else {
        x0 = x0 < 0 ? 0 : x0 >= tw ? tw - 1 : x0; x1 = x1 < 0 ? 0 : x1 >= tw ? tw - 1 : x1;
        y0 = y0 < 0 ? 0 : y0 >= th ? th - 1 : y0; y1 = y1 < 0 ? 0 : y1 >= th ? th - 1 : y1;
      }
      // | 0: integer texel offsets (Math.floor yields doubles), ~10 % faster lookups.
      const t00 = ((y0 * tw + x0) * 3) | 0, t01 = ((y0 * tw + x1) * 3) | 0, t10 = ((y1 * tw + x0) * 3) | 0, t11 = ((y1 * tw + x1) * 3) | 0;
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      let tx: number, ty: number, tz: number;
      if (kept) { tx = fr[o + 10]!; ty = fr[o + 11]!; tz = fr[o + 12]!; }
      else {
        tx = fround(w00 * tex[t00]! + w01 * tex[t01]! + w10 * tex[t10]! + w11 * tex[t11]!);
        ty = fround(w00 * tex[t00 + 1]! + w01 * tex[t01 + 1]! + w10 * tex[t10 + 1]! + w11 * tex[t11 + 1]!);
        tz = fround(w00 * tex[t00 + 2]! + w01 * tex[t01 + 2]! + w10 * tex[t10 + 2]! + w11 * tex[t11 + 2]!);
      }
      // shadingNormalsBackward.
      const mx = tx * Tx + ty * Bx + tz * gx, my = tx * Ty + ty * By + tz * gy, mz = tx * Tz + ty * Bz + tz * gz;
      const ml = Math.sqrt(mx * mx + my * my + mz * mz) || 1;
      const iml = 1 / ml;
      const nx = mx * iml, ny = my * iml, nz = mz * iml;
      const d = nx * hx + ny * hy + nz * hz;
      const gmx = (hx - nx * d) * iml, gmy = (hy - ny * d) * iml, gmz = (hz - nz * d) * iml;
      const g0 = fround(gmx * Tx + gmy * Ty + gmz * Tz);
      const g1 = fround(gmx * Bx + gmy * By + gmz * Bz);
      const g2 = fround(gmx * gx + gmy * gy + gmz * gz);
      gTx = fround(tx * gmx); gTy = fround(tx * gmy); gTz = fround(tx * gmz);
      gBx = fround(ty * gmx); gBy = fround(ty * gmy); gBz = fround(ty * gmz);
      hx = tz * gmx; hy = tz * gmy; hz = tz * gmz;
      // sampleTextureBackward of the map (skipping zero channels as it does).
      if (gMap) {
        if (g0 !== 0) { gMap[t00] += w00 * g0; gMap[t01] += w01 * g0; gMap[t10] += w10 * g0; gMap[t11] += w11 * g0; }
        if (g1 !== 0) { gMap[t00 + 1] += w00 * g1; gMap[t01 + 1] += w01 * g1; gMap[t10 + 1] += w10 * g1; gMap[t11 + 1] += w11 * g1; }
        if (g2 !== 0) { gMap[t00 + 2] += w00 * g2; gMap[t01 + 2] += w01 * g2; gMap[t10 + 2] += w10 * g2; gMap[t11 + 2] += w11 * g2; }
      }
      if (gUv) {
        let gfx = 0, gfy = 0;
        let a = tex[t00]!, b = tex[t01]!, dd = tex[t10]!, e = tex[t11]!;
        gfx += g0 * ((1 - fy) * (b - a) + fy * (e - dd)); gfy += g0 * ((1 - fx) * (dd - a) + fx * (e - b));
        a = tex[t00 + 1]!; b = tex[t01 + 1]!; dd = tex[t10 + 1]!; e = tex[t11 + 1]!;
        gfx += g1 * ((1 - fy) * (b - a) + fy * (e - dd)); gfy += g1 * ((1 - fx) * (dd - a) + fx * (e - b));
        a = tex[t00 + 2]!; b = tex[t01 + 2]!; dd = tex[t10 + 2]!; e = tex[t11 + 2]!;
        gfx += g2 * ((1 - fy) * (b - a) + fy * (e - dd)); gfy += g2 * ((1 - fx) * (dd - a) + fx * (e - b));
        gUv[2 * p] += gfx * tw;
        gUv[2 * p + 1] -= gfy * th;
      }
    }
    if (!wantPos) continue;
    // Through ng = normalize(geomN), then the three interpolateBackward calls.
    const d = gx * hx + gy * hy + gz * hz;
    const gGx = fround((hx - gx * d) * igl), gGy = fround((hy - gy * d) * igl), gGz = fround((hz - gz * d) * igl);
    let a0 = 0, a1 = 0, a2 = 0;
    if (gGx !== 0 || gGy !== 0 || gGz !== 0) {
      gVn[j0] += b0 * gGx; gVn[j1] += b1 * gGx; gVn[j2] += b2 * gGx;
      gVn[j0 + 1] += b0 * gGy; gVn[j1 + 1] += b1 * gGy; gVn[j2 + 1] += b2 * gGy;
      gVn[j0 + 2] += b0 * gGz; gVn[j1 + 2] += b1 * gGz; gVn[j2 + 2] += b2 * gGz;
      a0 = vn[j0]!; a1 = vn[j0 + 1]!; a2 = vn[j0 + 2]!;
      gBary![2 * p] += gGx * (vn[j1]! - a0) + gGy * (vn[j1 + 1]! - a1) + gGz * (vn[j1 + 2]! - a2);
      gBary![2 * p + 1] += gGx * (vn[j2]! - a0) + gGy * (vn[j2 + 1]! - a1) + gGz * (vn[j2 + 2]! - a2);
    }
    if (!nm) continue;
    if (gTx !== 0 || gTy !== 0 || gTz !== 0) {
      // The tangents are constants: only their interpolation weights (the barycentrics) move.
      a0 = vt[j0]!; a1 = vt[j0 + 1]!; a2 = vt[j0 + 2]!;
      gBary![2 * p] += gTx * (vt[j1]! - a0) + gTy * (vt[j1 + 1]! - a1) + gTz * (vt[j1 + 2]! - a2);
      gBary![2 * p + 1] += gTx * (vt[j2]! - a0) + gTy * (vt[j2 + 1]! - a1) + gTz * (vt[j2 + 2]! - a2);
    }
    if (gBx !== 0 || gBy !== 0 || gBz !== 0) {
      gVb[j0] += b0 * gBx; gVb[j1] += b1 * gBx; gVb[j2] += b2 * gBx;
      gVb[j0 + 1] += b0 * gBy; gVb[j1 + 1] += b1 * gBy; gVb[j2 + 1] += b2 * gBy;
      gVb[j0 + 2] += b0 * gBz; gVb[j1 + 2] += b1 * gBz; gVb[j2 + 2] += b2 * gBz;
      a0 = vb[j0]!; a1 = vb[j0 + 1]!; a2 = vb[j0 + 2]!;
      gBary![2 * p] += gBx * (vb[j1]! - a0) + gBy * (vb[j1 + 1]! - a1) + gBz * (vb[j1 + 2]! - a2);
      gBary![2 * p + 1] += gBx * (vb[j2]! - a0) + gBy * (vb[j2 + 1]! - a1) + gBz * (vb[j2 + 2]! - a2);
    }
  }
  return { normalMap: gMap, vertexNormals: gVn, bitangents: gVb };
}

const EMPTY = new Float32Array(0);
