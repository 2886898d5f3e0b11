// The stage's small numeric helpers: linear latent↔RGB maps, resampling, normal blending, layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LATENT_RGB_FACTORS, RGB_LATENT_PINV, decoderVjpLinear, encoderVjpLinear, latentPreview } from "../../../../src/engine/stages/texture/linear-rgb.js";
import { resample } from "../../../../src/engine/stages/texture/resample.js";
import { blendNormals } from "../../../../src/engine/stages/texture/normal-blend.js";
import { hwcToNchw, nchwToHwc } from "../../../../src/engine/stages/texture/layout.js";
import { Rng } from "../../../../src/engine/util/rng.js";
import { dot } from "./fixtures.js";

test("RGB_LATENT_PINV is a right inverse of the latent→RGB factors: Fᵀ·P = I₃", () => {
  for (let a = 0; a < 3; a++)
    for (let b = 0; b < 3; b++) {
      const v = LATENT_RGB_FACTORS.reduce((s, row, l) => s + row[a]! * RGB_LATENT_PINV[l]![b]!, 0);
      assert.ok(Math.abs(v - (a === b ? 1 : 0)) < 1e-9, `(${a},${b}) = ${v}`);
    }
});

test("decoderVjpLinear / encoderVjpLinear are the exact transposes of their linear forward models", () => {
  const h = 3, rng = new Rng(1);
  const F = LATENT_RGB_FACTORS, P = RGB_LATENT_PINV;
  // D(z) = (Fᵀz + 1)/2 per 8×8 block; its linear part is what the VJP transposes.
  const decodeLin = (z: Float32Array) => {
    const out = new Float32Array(64 * h * h * 3);
    for (let y = 0; y < 8 * h; y++) for (let x = 0; x < 8 * h; x++) {
      const p = (Math.floor(y / 8) * h + Math.floor(x / 8)) * 4;
      for (let c = 0; c < 3; c++) out[(y * 8 * h + x) * 3 + c] = 0.5 * [0, 1, 2, 3].reduce((s, l) => s + z[p + l]! * F[l]![c]!, 0);
    }
    return out;
  };
  const encodeLin = (img: Float32Array) => {
    const out = new Float32Array(h * h * 4);
    for (let y = 0; y < 8 * h; y++) for (let x = 0; x < 8 * h; x++) {
      const p = (Math.floor(y / 8) * h + Math.floor(x / 8)) * 4;
      for (let l = 0; l < 4; l++) out[p + l]! += (2 / 64) * [0, 1, 2].reduce((s, c) => s + P[l]![c]! * img[(y * 8 * h + x) * 3 + c]!, 0);
    }
    return out;
  };
  const z = rng.normals(h * h * 4), img = rng.normals(64 * h * h * 3);
  assert.ok(Math.abs(dot(decodeLin(z), img) - dot(z, decoderVjpLinear(img, h, h))) < 1e-3);
  assert.ok(Math.abs(dot(encodeLin(img), z) - dot(img, encoderVjpLinear(z, h, h))) < 1e-3);
});

test("latentPreview maps the zero latent to mid-grey and clamps to [0, 1]", () => {
  const p = latentPreview(new Float32Array(8));
  assert.deepEqual(Array.from(p), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  const q = latentPreview(Float32Array.from([100, 100, 100, 100]));
  assert.ok(q.every((v) => v >= 0 && v <= 1));
});

test("resample: a constant image stays constant; a linear ramp stays a ramp when upscaling", () => {
  for (const kind of ["lanczos3", "bicubic"] as const) {
    const flat = resample(new Float32Array(4 * 4 * 3).fill(0.25), 4, 4, 3, 13, 13, kind);
    assert.ok(flat.every((v) => Math.abs(v - 0.25) < 1e-6), kind);
    const ramp = new Float32Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) ramp[y * 16 + x] = x / 15;
    const up = resample(ramp, 16, 16, 1, 64, 64, kind);
    // Away from the clamped borders, output pixel centre x maps to source (x + 0.5)/4 − 0.5.
    for (const x of [20, 32, 44]) assert.ok(Math.abs(up[30 * 64 + x]! - ((x + 0.5) / 4 - 0.5) / 15) < 2e-3, `${kind} x=${x}`);
  }
  assert.throws(() => resample(new Float32Array(5), 2, 2, 3, 4, 4), /expected 12/);
});

test("blendNormals: flat detail keeps the base (RNM, UDN), flat base keeps the detail (RNM), output is unit", () => {
  const enc = (x: number, y: number, z: number) => { const l = Math.hypot(x, y, z); return [x / l / 2 + 0.5, y / l / 2 + 0.5, z / l / 2 + 0.5]; };
  const base = Float32Array.from(enc(0.3, -0.2, 0.9)), flat = Float32Array.from(enc(0, 0, 1)), detail = Float32Array.from(enc(-0.1, 0.4, 0.8));
  for (const mode of ["rnm", "udn"] as const) {
    blendNormals(base, flat, mode).forEach((v, i) => assert.ok(Math.abs(v - base[i]!) < 1e-6, `${mode} base`));
    // RNM reproduces the detail on a flat base; UDN keeps the base's z (its known flattening).
    if (mode === "rnm") blendNormals(flat, detail, mode).forEach((v, i) => assert.ok(Math.abs(v - detail[i]!) < 1e-6, "rnm detail"));
    const r = Array.from(blendNormals(base, detail, mode), (v) => v * 2 - 1);
    assert.ok(Math.abs(Math.hypot(r[0]!, r[1]!, r[2]!) - 1) < 1e-6);
  }
  // RNM and UDN differ on a tilted base with a tilted detail.
  assert.notDeepEqual(Array.from(blendNormals(base, detail, "rnm")), Array.from(blendNormals(base, detail, "udn")));
});

test("hwcToNchw and nchwToHwc are inverse permutations", () => {
  const x = new Rng(2).normals(5 * 3 * 4);
  const y = hwcToNchw(x, 5, 3, 4);
  assert.equal(y[1 * 15 + 2], x[2 * 4 + 1]); // channel 1, pixel 2
  assert.deepEqual(Array.from(nchwToHwc(y, 5, 3, 4)), Array.from(x));
});
