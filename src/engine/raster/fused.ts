/**
 * The forward half of render() after rasterization, fused into one pass over the pixels:
 * interpolate uv → sample the texture (or constant albedo) → interpolate the normal frame →
 * sample the normal map → shading normal → Lambert/Blinn–Phong → background. It computes
 * exactly what the separate ops compute (interpolate, sampleTexture, shadingNormals, shade,
 * composite; a test holds them equal). It stores only the intermediates every adjoint needs
 * (uv, albedo, shading normal, view direction); the normal frame and the sampled normal map
 * are recomputed by renderBackward only when it differentiates through them, so forward-only
 * and texture-only callers skip four [H*W*3] arrays. Fusing saves ~40 % of the forward time
 * at 512², mostly re-reading barycentrics and triangle indices once per op.
 */
import type { DirectionalLight, RasterBuffer, Texture } from "./types.js";
import { FRAME } from "./normalChain.js";
import type { Specular } from "./shade.js";
import { pixelsWasm } from "./wasm/fused-kernel.js";

export interface FusedInputs {
  raster: RasterBuffer;
  triangles: Uint32Array;
  channels: number;
  uv: Float32Array | null; // [S*2], needed for texture or normal map
  texture: Texture | null;
  albedo: readonly number[];
  light: DirectionalLight | null;
  vertexNormals: Float32Array | null; // [S*3], when lit
  tangents: Float32Array | null; // [S*3] xyz, with a normal map
  bitangents: Float32Array | null; // [S*3], with a normal map
  normalMap: Texture | null;
  specular: Specular | null;
  splitPositions: Float32Array | null; // [S*3], for the specular view vector
  eye: readonly [number, number, number];
  background: readonly number[] | Float32Array;
  /** Keep the per-pixel normal frame for the adjoint (normalChain.ts FRAME floats per pixel). */
  keepNormalFrame?: boolean;
  /**
   * The WebAssembly memory (wasm/arena.ts) the frame's arrays live in, when they do: workers
   * register it so the SIMD kernels run there too.
   */
  wasm?: WebAssembly.Memory | null;
}

export interface FusedOutputs {
  image: Float32Array;
  mask: Uint8Array;
  uvImg: Float32Array | null;
  albedoImg: Float32Array;
  normals: Float32Array | null;
  viewDirs: Float32Array | null;
  /** The kept normal frame `[N*FRAME]` (lit, with keepNormalFrame), else null. */
  frame: Float32Array | null;
}

/**
 * Bilinear lookup with the same conventions as sampleTexture, written to out[o..o+C). Its twin
 * stays inline in sampleTexture's loop: calling this from there measured no faster (C = 4
 * up to ~10 % slower); the C = 3 paths below inline it too (V8 did not inline the call there).
 */
function bilinear(tex: Float32Array, tw: number, th: number, C: number, repeat: boolean, u: number, v: number, out: Float32Array, o: number): void {
  const fxr = u * tw - 0.5, fyr = (1 - v) * th - 0.5;
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
  const t00 = ((y0 * tw + x0) * C) | 0, t01 = ((y0 * tw + x1) * C) | 0, t10 = ((y1 * tw + x0) * C) | 0, t11 = ((y1 * tw + x1) * C) | 0;
  const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
  for (let c = 0; c < C; c++) out[o + c] = w00 * tex[t00 + c]! + w01 * tex[t01 + c]! + w10 * tex[t10 + c]! + w11 * tex[t11 + c]!;
}

/** The outputs shadePixels would allocate for these inputs (bands.ts allocates them shared). */
export function fusedOutputs(x: FusedInputs, alloc: (n: number) => Float32Array = (n) => new Float32Array(n), mask: Uint8Array = new Uint8Array(x.raster.width * x.raster.height)): FusedOutputs {
  const N = x.raster.width * x.raster.height, C = x.channels, lit = x.light !== null;
  return {
    image: alloc(N * C),
    mask,
    uvImg: x.uv && (x.texture || x.normalMap) ? alloc(N * 2) : null,
    albedoImg: alloc(N * C),
    normals: lit ? alloc(N * 3) : null,
    viewDirs: lit && x.specular ? alloc(N * 3) : null,
    frame: lit && x.keepNormalFrame ? alloc(N * FRAME) : null,
  };
}

/**
 * All pixels, or pixels p0…p1 (a band of rows, see bands.ts) written into `out` (from
 * fusedOutputs); the result of a pixel does not depend on the split.
 */
export function shadePixels(x: FusedInputs, p0 = 0, p1 = x.raster.width * x.raster.height, given?: FusedOutputs): FusedOutputs {
  const out = given ?? fusedOutputs(x);
  const { raster, triangles: tris, channels: C, uv, texture, albedo, light, vertexNormals: vn, tangents: vt, bitangents: vb, normalMap, specular, splitPositions: sp, eye, background } = x;
  const N = raster.width * raster.height;
  const ids = raster.triangleId, bary = raster.bary;
  const { image, mask, uvImg, albedoImg, normals, viewDirs, frame } = out;
  const lit = light !== null;
  const nm = lit && normalMap !== null;
  const bgImage = background instanceof Float32Array && background.length === N * C;
  if (!bgImage && background.length !== C) throw new Error(`background must have ${C} values or be an image of ${N * C}, got ${background.length}`);
  const texRepeat = texture?.wrap === "repeat", nmRepeat = normalMap?.wrap === "repeat";
  const [lx, ly, lz] = light ? light.direction : [0, 0, 1];
  const amb = light ? light.ambient : 0, inten = light ? light.intensity : 0;
  const alb = Float32Array.from(albedo);
  const tex = texture ? texture.data : EMPTY, nmd = normalMap ? normalMap.data : EMPTY;
  const shared = nm && texture !== null && C === 3 && texture.width === normalMap!.width && texture.height === normalMap!.height && texRepeat === nmRepeat;
  // The SIMD kernel (same bytes, clears and background included) when every array lies in a
  // WebAssembly arena, as reused outputs (`given`) do in a ParallelRenderer; else JS below.
  if (given && pixelsWasm({
    p0, p1, C, ids, bary, tris, uv, uvImg, tex: texture ? tex : null, tw: texture ? texture.width : 0, th: texture ? texture.height : 0, texRepeat, alb, albedoImg,
    lit, lx, ly, lz, amb, inten, vn, normals, nm, vt, vb, nmd: normalMap ? nmd : null, nw: normalMap ? normalMap.width : 0, nh: normalMap ? normalMap.height : 0, nmRepeat, shared,
    spec: viewDirs !== null, image, mask, frame, bgImage: bgImage ? (background as Float32Array) : null, bg: background,
  })) return out;
  if (given) {
    // Reused (shared) outputs: clear this band, as fresh arrays would be.
    mask.fill(0, p0, p1);
    albedoImg.fill(0, p0 * C, p1 * C);
    uvImg?.fill(0, p0 * 2, p1 * 2);
    normals?.fill(0, p0 * 3, p1 * 3);
    viewDirs?.fill(0, p0 * 3, p1 * 3);
  }
  // Background first, with native copies; covered pixels are overwritten below.
  const lo = p0 * C, hi = p1 * C;
  if (bgImage) image.set(background.subarray(lo, hi), lo);
  else if (hi > lo) {
    for (let c = 0; c < C; c++) image[lo + c] = background[c]!;
    for (let filled = C; filled < hi - lo; filled *= 2) image.copyWithin(lo + filled, lo, lo + Math.min(filled, hi - lo - filled));
  }
  pixels(
    p0, p1, C, ids, bary, tris, uv ?? EMPTY, uvImg ?? EMPTY, uvImg !== null,
    tex, texture ? texture.width : 0, texture ? texture.height : 0, texRepeat, texture !== null, alb, albedoImg,
    lit, lx, ly, lz, amb, inten, vn ?? EMPTY, normals ?? EMPTY,
    nm, vt ?? EMPTY, vb ?? EMPTY, nmd, normalMap ? normalMap.width : 0, normalMap ? normalMap.height : 0, nmRepeat,
    shared,
    viewDirs ?? EMPTY, viewDirs !== null, sp ?? EMPTY, eye[0], eye[1], eye[2], specular ? specular.strength : 0, specular ? specular.shininess : 0,
    image, mask, frame ?? EMPTY, frame !== null,
  );
  return out;
}

const EMPTY = new Float32Array(0);
const fround = Math.fround;

/**
 * The per-pixel loop, kept in its own function with only typed arrays and numbers as
 * arguments (absent inputs are EMPTY, gated by the flags): inlined in shadePixels with
 * nullable locals, V8 deoptimised it on almost every call ("insufficient type feedback"
 * after on-stack replacement).
 */
function pixels(
  p0: number, p1: number, C: number, ids: Int32Array, bary: Float32Array, tris: Uint32Array, uv: Float32Array, uvImg: Float32Array, hasUv: boolean,
  tex: Float32Array, tw: number, th: number, texRepeat: boolean, hasTex: boolean, alb: Float32Array, albedoImg: Float32Array,
  lit: boolean, lx: number, ly: number, lz: number, amb: number, inten: number, vn: Float32Array, normals: Float32Array,
  nm: boolean, vt: Float32Array, vb: Float32Array, nmd: Float32Array, nw: number, nh: number, nmRepeat: boolean, shared: boolean,
  viewDirs: Float32Array, spec: boolean, sp: Float32Array, ex0: number, ey0: number, ez0: number, strength: number, shininess: number,
  image: Float32Array, mask: Uint8Array, frame: Float32Array, keep: boolean,
): void {
  for (let p = p0; p < p1; p++) {
    const id = ids[p]!;
    if (id === 0) continue;
    const base = p * C;
    mask[p] = 1;
    const t = id - 1;
    const b1 = bary[2 * p]!, b2 = bary[2 * p + 1]!, b0 = 1 - b1 - b2;
    const i0 = tris[3 * t]!, i1 = tris[3 * t + 1]!, i2 = tris[3 * t + 2]!;
    let u = 0, v = 0;
    if (hasUv) {
      uvImg[2 * p] = b0 * uv[2 * i0]! + b1 * uv[2 * i1]! + b2 * uv[2 * i2]!;
      uvImg[2 * p + 1] = b0 * uv[2 * i0 + 1]! + b1 * uv[2 * i1 + 1]! + b2 * uv[2 * i2 + 1]!;
      u = uvImg[2 * p]!; v = uvImg[2 * p + 1]!;
    }
    let sx = 0, sy = 0, sz = 0;
    if (hasTex && C === 3) {
      // bilinear3 inline (V8 did not inline the call here, which cost ~20 % of the forward
      // pass); when the normal map sits on the same texel grid (the usual 512² pair) the
      // same taps and weights serve its lookup too.
      const fxr = u * tw - 0.5, fyr = (1 - v) * th - 0.5;
      const flx = Math.floor(fxr), fly = Math.floor(fyr);
      const fx = fxr - flx, fy = fyr - fly;
      let x0 = flx, x1 = flx + 1, y0 = fly, y1 = fly + 1;
      if (texRepeat) {
        x0 = ((x0 % tw) + tw) % tw; x1 = ((x1 % tw) + tw) % tw;
        y0 = ((y0 % th) + th) % th; y1 = ((y1 % th) + th) % th;
      } else {
        x0 = x0 < 0 ? 0 : x0 >= tw ? tw - 1 : x0; x1 = x1 < 0 ? 0 : x1 >= tw ? tw - 1 : x1;
        y0 = y0 < 0 ? 0 : y0 >= th ? th - 1 : y0; y1 = y1 < 0 ? 0 : y1 >= th ? th - 1 : y1;
      }
      const t00 = ((y0 * tw + x0) * 3) | 0, t01 = ((y0 * tw + x1) * 3) | 0, t10 = ((y1 * tw + x0) * 3) | 0, t11 = ((y1 * tw + x1) * 3) | 0;
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      albedoImg[base] = w00 * tex[t00]! + w01 * tex[t01]! + w10 * tex[t10]! + w11 * tex[t11]!;
      albedoImg[base + 1] = w00 * tex[t00 + 1]! + w01 * tex[t01 + 1]! + w10 * tex[t10 + 1]! + w11 * tex[t11 + 1]!;
      albedoImg[base + 2] = w00 * tex[t00 + 2]! + w01 * tex[t01 + 2]! + w10 * tex[t10 + 2]! + w11 * tex[t11 + 2]!;
      if (shared) {
        sx = fround(w00 * nmd[t00]! + w01 * nmd[t01]! + w10 * nmd[t10]! + w11 * nmd[t11]!);
        sy = fround(w00 * nmd[t00 + 1]! + w01 * nmd[t01 + 1]! + w10 * nmd[t10 + 1]! + w11 * nmd[t11 + 1]!);
        sz = fround(w00 * nmd[t00 + 2]! + w01 * nmd[t01 + 2]! + w10 * nmd[t10 + 2]! + w11 * nmd[t11 + 2]!);
      }
    } else if (hasTex) bilinear(tex, tw, th, C, texRepeat, u, v, albedoImg, base);
    else for (let c = 0; c < C; c++) albedoImg[base + c] = alb[c]!;
    if (!lit) {
      for (let c = 0; c < C; c++) image[base + c] = albedoImg[base + c]!;
      continue;
    }
    const j0 = 3 * i0, j1 = 3 * i1, j2 = 3 * i2, q = 3 * p;
    // fround: the same float32 rounding points as the composed ops (interpolate writes
    // Float32Arrays that shadingNormals reads back), without storing the intermediates.
    const gx0 = fround(b0 * vn[j0]! + b1 * vn[j1]! + b2 * vn[j2]!);
    const gy0 = fround(b0 * vn[j0 + 1]! + b1 * vn[j1 + 1]! + b2 * vn[j2 + 1]!);
    const gz0 = fround(b0 * vn[j0 + 2]! + b1 * vn[j1 + 2]! + b2 * vn[j2 + 2]!);
    const gl = Math.sqrt(gx0 * gx0 + gy0 * gy0 + gz0 * gz0) || 1;
    const gx = gx0 / gl, gy = gy0 / gl, gz = gz0 / gl;
    let nx = gx, ny = gy, nz = gz;
    const o = FRAME * p;
    if (keep) { frame[o] = gx; frame[o + 1] = gy; frame[o + 2] = gz; frame[o + 3] = 1 / gl; }
    if (nm) {
      const Tx = fround(b0 * vt[j0]! + b1 * vt[j1]! + b2 * vt[j2]!);
      const Ty = fround(b0 * vt[j0 + 1]! + b1 * vt[j1 + 1]! + b2 * vt[j2 + 1]!);
      const Tz = fround(b0 * vt[j0 + 2]! + b1 * vt[j1 + 2]! + b2 * vt[j2 + 2]!);
      const Bx = fround(b0 * vb[j0]! + b1 * vb[j1]! + b2 * vb[j2]!);
      const By = fround(b0 * vb[j0 + 1]! + b1 * vb[j1 + 1]! + b2 * vb[j2 + 1]!);
      const Bz = fround(b0 * vb[j0 + 2]! + b1 * vb[j1 + 2]! + b2 * vb[j2 + 2]!);
      if (!shared) {
        // bilinear3 inline again (constant albedo, as in detail carving, or another grid).
        const fxr = u * nw - 0.5, fyr = (1 - v) * nh - 0.5;
        const flx = Math.floor(fxr), fly = Math.floor(fyr);
        const fx = fxr - flx, fy = fyr - fly;
        let x0 = flx, x1 = flx + 1, y0 = fly, y1 = fly + 1;
        if (nmRepeat) {
          x0 = ((x0 % nw) + nw) % nw; x1 = ((x1 % nw) + nw) % nw;
          y0 = ((y0 % nh) + nh) % nh; y1 = ((y1 % nh) + nh) % nh;
        } else {
          x0 = x0 < 0 ? 0 : x0 >= nw ? nw - 1 : x0; x1 = x1 < 0 ? 0 : x1 >= nw ? nw - 1 : x1;
          y0 = y0 < 0 ? 0 : y0 >= nh ? nh - 1 : y0; y1 = y1 < 0 ? 0 : y1 >= nh ? nh - 1 : y1;
        }
        const t00 = ((y0 * nw + x0) * 3) | 0, t01 = ((y0 * nw + x1) * 3) | 0, t10 = ((y1 * nw + x0) * 3) | 0, t11 = ((y1 * nw + x1) * 3) | 0;
        const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        sx = fround(w00 * nmd[t00]! + w01 * nmd[t01]! + w10 * nmd[t10]! + w11 * nmd[t11]!);
        sy = fround(w00 * nmd[t00 + 1]! + w01 * nmd[t01 + 1]! + w10 * nmd[t10 + 1]! + w11 * nmd[t11 + 1]!);
        sz = fround(w00 * nmd[t00 + 2]! + w01 * nmd[t01 + 2]! + w10 * nmd[t10 + 2]! + w11 * nmd[t11 + 2]!);
      }
      const tx = sx, ty = sy, tz = sz;
      if (keep) {
        frame[o + 4] = Tx; frame[o + 5] = Ty; frame[o + 6] = Tz; frame[o + 7] = Bx; frame[o + 8] = By; frame[o + 9] = Bz;
        frame[o + 10] = tx; frame[o + 11] = ty; frame[o + 12] = tz;
      }
      const mx = tx * Tx + ty * Bx + tz * gx;
      const my = tx * Ty + ty * By + tz * gy;
      const mz = tx * Tz + ty * Bz + tz * gz;
      const ml = Math.sqrt(mx * mx + my * my + mz * mz) || 1;
      nx = mx / ml; ny = my / ml; nz = mz / ml;
    }
    normals[q] = nx; normals[q + 1] = ny; normals[q + 2] = nz;
    const fnx = normals[q]!, fny = normals[q + 1]!, fnz = normals[q + 2]!;
    const ndl = fnx * lx + fny * ly + fnz * lz;
    const s = amb + (ndl > 0 ? inten * ndl : 0);
    let h = 0;
    if (spec) {
      // Rounded through float32 as viewDirections() does (interpolate writes a Float32Array).
      viewDirs[q] = b0 * sp[j0]! + b1 * sp[j1]! + b2 * sp[j2]!;
      viewDirs[q + 1] = b0 * sp[j0 + 1]! + b1 * sp[j1 + 1]! + b2 * sp[j2 + 1]!;
      viewDirs[q + 2] = b0 * sp[j0 + 2]! + b1 * sp[j1 + 2]! + b2 * sp[j2 + 2]!;
      const ex = ex0 - viewDirs[q]!, ey = ey0 - viewDirs[q + 1]!, ez = ez0 - viewDirs[q + 2]!;
      const el = Math.sqrt(ex * ex + ey * ey + ez * ez) || 1;
      viewDirs[q] = ex / el; viewDirs[q + 1] = ey / el; viewDirs[q + 2] = ez / el;
      if (ndl > 0) {
        let hx = lx + viewDirs[q]!, hy = ly + viewDirs[q + 1]!, hz = lz + viewDirs[q + 2]!;
        const hl = Math.sqrt(hx * hx + hy * hy + hz * hz) || 1;
        hx /= hl; hy /= hl; hz /= hl;
        const ndh = fnx * hx + fny * hy + fnz * hz;
        if (ndh > 0) h = strength * inten * Math.pow(ndh, shininess);
      }
    }
    if (C === 3) {
      image[base] = albedoImg[base]! * s + h;
      image[base + 1] = albedoImg[base + 1]! * s + h;
      image[base + 2] = albedoImg[base + 2]! * s + h;
    } else for (let c = 0; c < C; c++) image[base + c] = albedoImg[base + c]! * s + h;
  }
}
