import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIP_MEAN, CLIP_STD, clipPreprocess } from "../../../src/engine/clip/preprocess.js";
import { clipScore, cosine, l2Normalize, splitRows } from "../../../src/engine/clip/score.js";
import type { ImageF32 } from "../../../src/engine/image/types.js";

const solid = (w: number, h: number, rgb: number[], channels = 3): ImageF32 => {
  const data = new Float32Array(w * h * channels);
  for (let p = 0; p < w * h; p++) for (let c = 0; c < channels; c++) data[p * channels + c] = rgb[c] ?? 1;
  return { data, width: w, height: h, channels };
};

test("clipPreprocess: 3×224×224 CHW with CLIP's mean/std", () => {
  const out = clipPreprocess(solid(512, 512, [0.2, 0.5, 0.9]));
  assert.equal(out.length, 3 * 224 * 224);
  const plane = 224 * 224;
  [0.2, 0.5, 0.9].forEach((v, c) => {
    const expected = (v - CLIP_MEAN[c]) / CLIP_STD[c];
    for (const p of [0, 1234, plane - 1]) assert.ok(Math.abs(out[c * plane + p]! - expected) < 1e-5, `channel ${c}`);
  });
});

test("clipPreprocess resizes the shorter side, centre-crops, drops alpha", () => {
  // 448×300 RGBA: left half red, right half blue. After resize to 334×224 and a central crop
  // the left column is red and the right column blue; the middle lies between.
  const w = 448, h = 300;
  const data = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < w / 2 ? [1, 0, 0, 0.3] : [0, 0, 1, 0.3], (y * w + x) * 4);
  const out = clipPreprocess({ data, width: w, height: h, channels: 4 });
  const plane = 224 * 224;
  const red = (p: number) => out[p]! * CLIP_STD[0] + CLIP_MEAN[0];
  const blue = (p: number) => out[2 * plane + p]! * CLIP_STD[2] + CLIP_MEAN[2];
  assert.ok(Math.abs(red(100 * 224) - 1) < 1e-5 && Math.abs(blue(100 * 224)) < 1e-5, "left edge red");
  assert.ok(Math.abs(red(100 * 224 + 223)) < 1e-5 && Math.abs(blue(100 * 224 + 223) - 1) < 1e-5, "right edge blue");
  assert.throws(() => clipPreprocess(solid(8, 8, [0, 0], 2)), /3 colour channels/);
});

test("cosine, l2Normalize and CLIP score (cosine, optionally ×100)", () => {
  const a = Float32Array.of(3, 4), b = Float32Array.of(4, 3);
  assert.ok(Math.abs(cosine(a, b) - 24 / 25) < 1e-7);
  assert.deepEqual(Array.from(l2Normalize(a)), [0.6000000238418579, 0.800000011920929]);
  assert.equal(cosine(a, new Float32Array(2)), 0);
  const s = clipScore([a, Float32Array.of(-3, -4)], b);
  assert.ok(Math.abs(s.values[0]! - 0.96) < 1e-6 && Math.abs(s.values[1]! + 0.96) < 1e-6);
  assert.ok(Math.abs(s.mean) < 1e-7);
  assert.ok(Math.abs(clipScore([a], b, { scale: 100 }).mean - 96) < 1e-4);
  assert.deepEqual(splitRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2).map((r) => Array.from(r)), [[1, 2, 3], [4, 5, 6]]);
  assert.throws(() => cosine(a, Float32Array.of(1)), /lengths differ/);
});
