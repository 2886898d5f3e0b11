/**
 * sampleTexture(uv, mask, texture, texW, texH, channels, opts) → Float32Array [N*C]
 *
 * Bilinear lookup of a texture `[texH*texW*C]` (row 0 = top, C any ≥ 1: 3 = RGB, 4 = a
 * Stable Diffusion latent) at per-pixel UVs `[N*2]` in the OBJ convention (v up, so
 * v = 1 is row 0). Texel centres sit at ((i + 0.5)/texW, 1 − (j + 0.5)/texH). `mask`
 * (e.g. the raster's triangleId) selects which of the N pixels to sample (others get 0);
 * pass null to sample all. `wrap`: "clamp" (edge texels extend) or "repeat".
 *
 * sampleTextureBackward: dL/dout `[N*C]` → dL/dtexture `[texH*texW*C]` (scatter with the
 * bilinear weights) and dL/duv `[N*2]` (the bilinear slope; zero across clamped borders).
 * Pass `acc.uv = null` when dL/duv is not needed (e.g. texture-only optimisation): the slope
 * is then skipped and `uv` comes back empty. No mipmapping: the texture is sampled at one level.
 */
import { sampleTextureBackwardWasm } from "./wasm/texture-kernel.js";

export type Wrap = "clamp" | "repeat";

export interface TextureOptions {
  wrap?: Wrap;
}

export function checkTexture(texture: Float32Array, texW: number, texH: number, C: number): void {
  if (!Number.isInteger(texW) || !Number.isInteger(texH) || texW < 1 || texH < 1) throw new Error(`texture size must be positive integers, got ${texW}×${texH}`);
  if (!Number.isInteger(C) || C < 1) throw new Error(`texture channels must be a positive integer, got ${C}`);
  if (texture.length !== texW * texH * C) throw new Error(`texture has ${texture.length} values, expected ${texH}×${texW}×${C} = ${texW * texH * C}`);
}


export function sampleTexture(uv: Float32Array, mask: Int32Array | null, texture: Float32Array, texW: number, texH: number, channels: number, { wrap = "clamp" }: TextureOptions = {}, out?: Float32Array): Float32Array {
  checkTexture(texture, texW, texH, channels);
  const C = channels;
  const N = uv.length / 2;
  const o = out ?? new Float32Array(N * C);
  if (out) o.fill(0);
  const repeat = wrap === "repeat";
  for (let p = 0; p < N; p++) {
    if (mask && mask[p] === 0) continue;
    // Texel taps inline: this loop runs once per covered pixel per texture.
    const fxr = uv[2 * p]! * texW - 0.5, fyr = (1 - uv[2 * p + 1]!) * texH - 0.5;
    const flx = Math.floor(fxr), fly = Math.floor(fyr);
    const fx = fxr - flx, fy = fyr - fly;
    let x0 = flx, x1 = flx + 1, y0 = fly, y1 = fly + 1;
    if (repeat) {
      x0 = ((x0 % texW) + texW) % texW; x1 = ((x1 % texW) + texW) % texW;
      y0 = ((y0 % texH) + texH) % texH; y1 = ((y1 % texH) + texH) % texH;
    } else {
      x0 = x0 < 0 ? 0 : x0 >= texW ? texW - 1 : x0; x1 = x1 < 0 ? 0 : x1 >= texW ? texW - 1 : x1;
      y0 = y0 < 0 ? 0 : y0 >= texH ? texH - 1 : y0; y1 = y1 < 0 ? 0 : y1 >= texH ? texH - 1 : y1;
    }
    const r0 = y0 * texW, r1 = y1 * texW;
    // | 0: integer texel offsets (Math.floor yields doubles), ~10 % faster lookups.
    const t00 = ((r0 + x0) * C) | 0, t01 = ((r0 + x1) * C) | 0, t10 = ((r1 + x0) * C) | 0, t11 = ((r1 + x1) * C) | 0;
    const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
    const base = p * C;
    for (let c = 0; c < C; c++) o[base + c] = w00 * texture[t00 + c]! + w01 * texture[t01 + c]! + w10 * texture[t10 + c]! + w11 * texture[t11 + c]!;
  }
  return o;
}

export interface TextureGrads {
  texture: Float32Array;
  uv: Float32Array;
}

export function sampleTextureBackward(
  uv: Float32Array,
  mask: Int32Array | null,
  texture: Float32Array,
  texW: number,
  texH: number,
  channels: number,
  gradOut: Float32Array,
  { wrap = "clamp" }: TextureOptions = {},
  acc: { texture?: Float32Array; uv?: Float32Array | null } = {},
  p0 = 0,
  p1 = uv.length / 2,
): TextureGrads {
  const C = channels;
  const N = uv.length / 2;
  const gTex = acc.texture ?? new Float32Array(texture.length);
  const wantUv = acc.uv !== null;
  const gUv = acc.uv ?? new Float32Array(wantUv ? N * 2 : 0);
  const repeat = wrap === "repeat";
  // The SIMD kernel (same bytes) when every array lies in a WebAssembly arena, else JS.
  if (sampleTextureBackwardWasm(uv, mask, texture, texW, texH, C, gradOut, repeat, gTex, wantUv ? gUv : null, p0, p1)) return { texture: gTex, uv: gUv };
  for (let p = p0; p < p1; p++) {
    if (mask && mask[p] === 0) continue;
    // Same taps as sampleTexture, with C = 3 unrolled: this runs once per covered
    // pixel per texture in every texture-stage step.
    const fxr = uv[2 * p]! * texW - 0.5, fyr = (1 - uv[2 * p + 1]!) * texH - 0.5;
    const flx = Math.floor(fxr), fly = Math.floor(fyr);
    const fx = fxr - flx, fy = fyr - fly;
    let x0 = flx, x1 = flx + 1, y0 = fly, y1 = fly + 1;
    if (repeat) {
      x0 = ((x0 % texW) + texW) % texW; x1 = ((x1 % texW) + texW) % texW;
      y0 = ((y0 % texH) + texH) % texH; y1 = ((y1 % texH) + texH) % texH;
    } else {
      x0 = x0 < 0 ? 0 : x0 >= texW ? texW - 1 : x0; x1 = x1 < 0 ? 0 : x1 >= texW ? texW - 1 : x1;
      y0 = y0 < 0 ? 0 : y0 >= texH ? texH - 1 : y0; y1 = y1 < 0 ? 0 : y1 >= texH ? texH - 1 : y1;
    }
    const r0 = y0 * texW, r1 = y1 * texW;
    // | 0: integer texel offsets (Math.floor yields doubles), ~10 % faster lookups.
    const t00 = ((r0 + x0) * C) | 0, t01 = ((r0 + x1) * C) | 0, t10 = ((r1 + x0) * C) | 0, t11 = ((r1 + x1) * C) | 0;
    const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
    const base = p * C;
    let gfx = 0, gfy = 0;
    if (C === 3) {
      const g0 = gradOut[base]!, g1 = gradOut[base + 1]!, g2 = gradOut[base + 2]!;
      if (g0 === 0 && g1 === 0 && g2 === 0) continue;
      gTex[t00] += w00 * g0; gTex[t01] += w01 * g0; gTex[t10] += w10 * g0; gTex[t11] += w11 * g0;
      gTex[t00 + 1] += w00 * g1; gTex[t01 + 1] += w01 * g1; gTex[t10 + 1] += w10 * g1; gTex[t11 + 1] += w11 * g1;
      gTex[t00 + 2] += w00 * g2; gTex[t01 + 2] += w01 * g2; gTex[t10 + 2] += w10 * g2; gTex[t11 + 2] += w11 * g2;
      if (!wantUv) continue;
      let a = texture[t00]!, b = texture[t01]!, d = texture[t10]!, e = texture[t11]!;
      gfx += g0 * ((1 - fy) * (b - a) + fy * (e - d));
      gfy += g0 * ((1 - fx) * (d - a) + fx * (e - b));
      a = texture[t00 + 1]!; b = texture[t01 + 1]!; d = texture[t10 + 1]!; e = texture[t11 + 1]!;
      gfx += g1 * ((1 - fy) * (b - a) + fy * (e - d));
      gfy += g1 * ((1 - fx) * (d - a) + fx * (e - b));
      a = texture[t00 + 2]!; b = texture[t01 + 2]!; d = texture[t10 + 2]!; e = texture[t11 + 2]!;
      gfx += g2 * ((1 - fy) * (b - a) + fy * (e - d));
      gfy += g2 * ((1 - fx) * (d - a) + fx * (e - b));
    } else {
      for (let c = 0; c < C; c++) {
        const g = gradOut[base + c]!;
        if (g === 0) continue;
        gTex[t00 + c] += w00 * g;
        gTex[t01 + c] += w01 * g;
        gTex[t10 + c] += w10 * g;
        gTex[t11 + c] += w11 * g;
        if (!wantUv) continue;
        const a = texture[t00 + c]!, b = texture[t01 + c]!, d = texture[t10 + c]!, e = texture[t11 + c]!;
        gfx += g * ((1 - fy) * (b - a) + fy * (e - d));
        gfy += g * ((1 - fx) * (d - a) + fx * (e - b));
      }
    }
    if (!wantUv) continue;
    // f = u·W − 0.5 and f = (1 − v)·H − 0.5. With clamping both taps coincide at the
    // border, so the slope above is already zero there.
    gUv[2 * p] += gfx * texW;
    gUv[2 * p + 1] -= gfy * texH;
  }
  return { texture: gTex, uv: gUv };
}
