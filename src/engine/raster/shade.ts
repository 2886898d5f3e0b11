/**
 * shade(albedo, normals, mask, light, opts) → Float32Array [N*C]
 *
 * Lambert + ambient: out = albedo·(ambient + intensity·max(0, n·l)), plus an optional
 * Blinn–Phong highlight added to every channel: strength·intensity·max(0, n·h)^shininess
 * where n·l > 0, with h = normalize(l + v) and v the per-pixel direction to the eye
 * `viewDirs` `[N*3]`. albedo `[N*C]` (any C), normals `[N*3]` unit, mask selects pixels.
 *
 * shadeBackward: dL/dout → dL/dalbedo `[N*C]` and dL/dnormals `[N*3]`. The view direction
 * is a constant (no gradient to positions through the highlight's v).
 *
 * composite(image, mask, background, C): background pixels get a constant colour
 * (number[] of C values) or an image `[N*C]` (e.g. noiseBackground for augmentation).
 */
import type { DirectionalLight } from "./types.js";
import type { Rng } from "../util/rng.js";
import { shadeBackwardWasm } from "./wasm/shade-kernel.js";

export interface Specular {
  strength: number;
  shininess: number;
}

export function shade(albedo: Float32Array, C: number, normals: Float32Array, mask: Int32Array, light: DirectionalLight, specular?: Specular | null, viewDirs?: Float32Array | null, out?: Float32Array): Float32Array {
  const N = mask.length;
  const o = out ?? new Float32Array(N * C);
  const [lx, ly, lz] = light.direction;
  if (specular && !viewDirs) throw new Error("shade: specular needs per-pixel view directions");
  for (let p = 0; p < N; p++) {
    const base = p * C;
    if (mask[p] === 0) { for (let c = 0; c < C; c++) o[base + c] = 0; continue; }
    const nx = normals[3 * p]!, ny = normals[3 * p + 1]!, nz = normals[3 * p + 2]!;
    const ndl = nx * lx + ny * ly + nz * lz;
    const s = light.ambient + (ndl > 0 ? light.intensity * ndl : 0);
    let h = 0;
    if (specular && ndl > 0) h = highlight(nx, ny, nz, lx, ly, lz, viewDirs!, p, specular, light.intensity, null);
    for (let c = 0; c < C; c++) o[base + c] = albedo[base + c]! * s + h;
  }
  return o;
}

const hv = new Float64Array(3);
/** Blinn–Phong value; when `grad` is given, also writes d(value)/dn into it. */
function highlight(nx: number, ny: number, nz: number, lx: number, ly: number, lz: number, v: Float32Array, p: number, sp: Specular, intensity: number, grad: Float64Array | null): number {
  let hx = lx + v[3 * p]!, hy = ly + v[3 * p + 1]!, hz = lz + v[3 * p + 2]!;
  const hl = Math.sqrt(hx * hx + hy * hy + hz * hz) || 1;
  hx /= hl; hy /= hl; hz /= hl;
  const ndh = nx * hx + ny * hy + nz * hz;
  if (ndh <= 0) { if (grad) grad.fill(0); return 0; }
  const val = sp.strength * intensity * Math.pow(ndh, sp.shininess);
  if (grad) {
    const k = sp.strength * intensity * sp.shininess * Math.pow(ndh, sp.shininess - 1);
    grad[0] = k * hx; grad[1] = k * hy; grad[2] = k * hz;
  }
  return val;
}

export interface ShadeGrads {
  albedo: Float32Array;
  normals: Float32Array;
}

/**
 * Pixels p0…p1 only when given (a band of rows, see bands.ts); `out` arrays are written in that
 * range (their other pixels are left alone), so a band worker can reuse its scratch arrays.
 */
export function shadeBackward(albedo: Float32Array, C: number, normals: Float32Array, mask: Int32Array, light: DirectionalLight, specular: Specular | null | undefined, viewDirs: Float32Array | null | undefined, gradOut: Float32Array, p0 = 0, p1 = mask.length, out?: ShadeGrads): ShadeGrads {
  const N = mask.length;
  // The SIMD kernel (same bytes, clears included) when the arrays lie in a WebAssembly arena.
  if (out && shadeBackwardWasm(albedo, C, normals, mask, light, !!specular, gradOut, p0, p1, out.albedo, out.normals)) return out;
  const gA = out ? out.albedo : new Float32Array(N * C);
  const gN = out ? out.normals : new Float32Array(N * 3);
  if (out) { gA.fill(0, p0 * C, p1 * C); gN.fill(0, p0 * 3, p1 * 3); }
  const [lx, ly, lz] = light.direction;
  // Light fields hoisted out of the pixel loop (read once per pixel, they showed in profiles).
  const amb = light.ambient, inten = light.intensity;
  for (let p = p0; p < p1; p++) {
    if (mask[p] === 0) continue;
    const base = p * C;
    const nx = normals[3 * p]!, ny = normals[3 * p + 1]!, nz = normals[3 * p + 2]!;
    const ndl = nx * lx + ny * ly + nz * lz;
    const s = amb + (ndl > 0 ? inten * ndl : 0);
    let gS = 0, gH = 0;
    if (C === 3) {
      const g0 = gradOut[base]!, g1 = gradOut[base + 1]!, g2 = gradOut[base + 2]!;
      gA[base] = g0 * s; gA[base + 1] = g1 * s; gA[base + 2] = g2 * s;
      gS = g0 * albedo[base]! + g1 * albedo[base + 1]! + g2 * albedo[base + 2]!;
      gH = g0 + g1 + g2;
    } else for (let c = 0; c < C; c++) {
      const g = gradOut[base + c]!;
      gA[base + c] = g * s;
      gS += g * albedo[base + c]!;
      gH += g;
    }
    if (ndl > 0) {
      let gx = gS * inten * lx, gy = gS * inten * ly, gz = gS * inten * lz;
      if (specular && gH !== 0) {
        highlight(nx, ny, nz, lx, ly, lz, viewDirs!, p, specular, inten, hv);
        gx += gH * hv[0]!; gy += gH * hv[1]!; gz += gH * hv[2]!;
      }
      gN[3 * p] = gx; gN[3 * p + 1] = gy; gN[3 * p + 2] = gz;
    }
  }
  return { albedo: gA, normals: gN };
}

/**
 * The albedo half of shadeBackward alone (dL/dalbedo = dL/dout · shading; the highlight is
 * additive, so it drops out): for texture-only adjoints, which need no dL/dnormals.
 */
export function shadeBackwardAlbedo(C: number, normals: Float32Array, mask: Int32Array, light: DirectionalLight, gradOut: Float32Array, p0 = 0, p1 = mask.length, out?: Float32Array): Float32Array {
  const N = mask.length;
  if (out && shadeBackwardWasm(null, C, normals, mask, light, false, gradOut, p0, p1, out, null)) return out;
  const gA = out ?? new Float32Array(N * C);
  if (out) gA.fill(0, p0 * C, p1 * C);
  const [lx, ly, lz] = light.direction;
  const amb = light.ambient, inten = light.intensity;
  for (let p = p0; p < p1; p++) {
    if (mask[p] === 0) continue;
    const ndl = normals[3 * p]! * lx + normals[3 * p + 1]! * ly + normals[3 * p + 2]! * lz;
    const s = amb + (ndl > 0 ? inten * ndl : 0);
    const base = p * C;
    for (let c = 0; c < C; c++) gA[base + c] = gradOut[base + c]! * s;
  }
  return gA;
}

/** Fills background pixels (mask 0) in place; returns `image`. */
export function composite(image: Float32Array, C: number, mask: Int32Array, background: readonly number[] | Float32Array): Float32Array {
  const N = mask.length;
  const isImage = background instanceof Float32Array && background.length === N * C;
  if (!isImage && background.length !== C) throw new Error(`background must have ${C} values or be an image of ${N * C}, got ${background.length}`);
  for (let p = 0; p < N; p++) {
    if (mask[p] !== 0) continue;
    const base = p * C;
    for (let c = 0; c < C; c++) image[base + c] = isImage ? background[base + c]! : background[c]!;
  }
  return image;
}

/**
 * Background augmentation: a random solid colour or smooth noise, deterministic in `rng`.
 * Values in [lo, hi] (defaults [0, 1]; latents usually want about [−1, 1]).
 */
export function noiseBackground(rng: Rng, width: number, height: number, C: number, { kind = "noise", lo = 0, hi = 1, cell = 8 }: { kind?: "noise" | "solid"; lo?: number; hi?: number; cell?: number } = {}): Float32Array {
  const out = new Float32Array(width * height * C);
  if (kind === "solid") {
    const col = Array.from({ length: C }, () => rng.range(lo, hi));
    for (let p = 0; p < width * height; p++) for (let c = 0; c < C; c++) out[p * C + c] = col[c]!;
    return out;
  }
  // Value noise: random values on a coarse grid, bilinearly upsampled.
  const gw = Math.ceil(width / cell) + 1, gh = Math.ceil(height / cell) + 1;
  const grid = new Float32Array(gw * gh * C);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.range(lo, hi);
  for (let y = 0; y < height; y++) {
    const fy = y / cell, y0 = Math.floor(fy), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x / cell, x0 = Math.floor(fx), tx = fx - x0;
      for (let c = 0; c < C; c++) {
        const a = grid[(y0 * gw + x0) * C + c]!, b = grid[(y0 * gw + x0 + 1) * C + c]!;
        const d = grid[((y0 + 1) * gw + x0) * C + c]!, e = grid[((y0 + 1) * gw + x0 + 1) * C + c]!;
        out[(y * width + x) * C + c] = (1 - ty) * ((1 - tx) * a + tx * b) + ty * ((1 - tx) * d + tx * e);
      }
    }
  }
  return out;
}
